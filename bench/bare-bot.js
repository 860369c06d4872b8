// Baseline for bench/foundation.ts: the least a telegraf bot can do to answer /start.
const { Telegraf } = require('telegraf');
const bot = new Telegraf(process.env.BOT_TOKEN, {
  telegram: { apiRoot: process.env.API_ROOT, webhookReply: false },
});
bot.start((ctx) =>
  ctx.reply('hi', { reply_markup: { keyboard: [[{ text: 'a' }]], resize_keyboard: true } }),
);
bot.catch(() => undefined);
void bot.launch();
process.on('SIGTERM', () => bot.stop('SIGTERM'));
