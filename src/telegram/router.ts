import { traceOf } from './trace';
import type { Context, MiddlewareFn } from 'telegraf';
import type { BotCommand } from 'telegraf/types';
import type { Logger } from '../log/logger';
import { describeForUser } from '../views/errors';
import { html } from '../views/html';
import { accessOf, type AccessState } from './access-state';
import type { Action } from './actions';
import type { AutoDeleteScheduler } from './auto-delete';
import type { CallbackStore } from './callback-store';
import type { Handler, Req } from './request';
import type { Sender } from './sender';

export interface RouterDeps {
  sender: Sender;
  callbacks: CallbackStore;
  autoDelete: AutoDeleteScheduler;
  log: Logger;
  botUsername: () => string | undefined;
  /** What a user sees for text no route matches. */
  fallback: Handler;
}

export const MAX_TEXT_ROUTE_LENGTH = 256;

const EXPIRED_BUTTON = 'This button has expired. Open the screen again from the menu.';
const UNSUPPORTED_BUTTON =
  'This button is no longer supported. Open the screen again from the menu.';

/**
 * A button label or typed text in canonical form: leading emoji and symbols
 * dropped, whitespace collapsed, lower case. "🚀 Server", "server" and
 * " SERVER " are the same; "my server" is not.
 */
export function normaliseLabel(text: string): string {
  return text
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Splits "/cmd@bot a b" into its name and words; undefined if it is not a command for us. */
export function parseCommand(
  text: string,
  botUsername: string | undefined,
): { name: string; args: string[] } | undefined {
  // eslint-disable-next-line security/detect-unsafe-regex -- every repetition is bounded or anchored; input is capped at MAX_TEXT_ROUTE_LENGTH
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (m === null) return undefined;
  const [, name = '', mention, rest] = m;
  if (
    mention !== undefined &&
    botUsername !== undefined &&
    mention.toLowerCase() !== botUsername.toLowerCase()
  ) {
    return undefined;
  }
  return {
    name: name.toLowerCase(),
    args: rest === undefined ? [] : rest.split(/\s+/).filter(Boolean),
  };
}

/** What a callback action runs with: its arguments, decoded and checked. */
export type ActionHandler<A> = (req: Req, args: A) => Promise<void>;

interface ActionRoute {
  /** Undefined when the stored arguments are not ones the action makes. */
  run(req: Req, raw: readonly string[]): Promise<void> | undefined;
}

interface TextRoute {
  pattern: RegExp;
  handler: Handler;
}

/**
 * The exact-match router. Commands, reply-keyboard labels and callback actions are
 * looked up in maps; a duplicate registration throws at start-up, so two features
 * can never fight over one button (pyTMBot's "CPU" regexp stole "CPU usage").
 */
export class Router {
  private readonly commandRoutes = new Map<string, Handler>();
  private readonly menuCommands: BotCommand[] = [];
  private readonly buttonRoutes = new Map<string, Handler>();
  private readonly actionRoutes = new Map<string, ActionRoute>();
  private readonly textRoutes: TextRoute[] = [];
  private readonly publicCommandNames = new Set<string>();

  constructor(private readonly deps: RouterDeps) {}

  /**
   * Registers `/name`; `description` puts it in Telegram's command menu. A public
   * command also answers users who are not on the allowlist (bootstrap only).
   */
  command(
    name: string,
    handler: Handler,
    description?: string,
    options: { public?: boolean } = {},
  ): this {
    const key = name.replace(/^\//, '').toLowerCase();
    if (!/^[a-z0-9_]{1,32}$/.test(key)) throw new Error(`invalid command name: ${name}`);
    if (this.commandRoutes.has(key)) throw new Error(`command /${key} is registered twice`);
    this.commandRoutes.set(key, handler);
    if (options.public === true) this.publicCommandNames.add(key);
    if (description !== undefined) this.menuCommands.push({ command: key, description });
    return this;
  }

  /** Registers a reply-keyboard label (matched exactly after normalisation). */
  button(label: string, handler: Handler): this {
    const key = normaliseLabel(label);
    if (key === '') throw new Error(`empty button label: ${label}`);
    if (this.buttonRoutes.has(key)) throw new Error(`button "${label}" is registered twice`);
    this.buttonRoutes.set(key, handler);
    return this;
  }

  /**
   * Registers a typed callback action. The arguments a pressed token carries are
   * decoded by the action before `handler` sees them; forged or stale ones are refused.
   */
  on<A>(action: Action<A>, handler: ActionHandler<A>): this {
    if (this.actionRoutes.has(action.name))
      throw new Error(`action ${action.name} is registered twice`);
    this.actionRoutes.set(action.name, {
      run(req, raw) {
        const args = action.decode(raw);
        return args === undefined ? undefined : handler(req, args);
      },
    });
    return this;
  }

  /** Registers an anchored pattern for free text (e.g. a 6-digit code). Must start with ^ and end with $. */
  text(pattern: RegExp, handler: Handler): this {
    if (!pattern.source.startsWith('^') || !pattern.source.endsWith('$')) {
      throw new Error(`text routes must be anchored: ${pattern.source}`);
    }
    this.textRoutes.push({ pattern, handler });
    return this;
  }

  /** Commands for setMyCommands, in registration order. */
  commands(): BotCommand[] {
    return [...this.menuCommands];
  }

  /** Commands that users not on the allowlist may run. */
  publicCommands(): string[] {
    return [...this.publicCommandNames];
  }

  middleware(): MiddlewareFn<Context> {
    return async (ctx) => {
      const access = accessOf(ctx);
      // Only updates that passed access control reach a handler.
      if (access === undefined) return;
      const req = this.buildRequest(ctx, access);
      if (req === undefined) return;
      try {
        if (access.guest === true) {
          const cmd =
            req.text === undefined ? undefined : parseCommand(req.text, this.deps.botUsername());
          const handler = cmd === undefined ? undefined : this.commandRoutes.get(cmd.name);
          if (cmd !== undefined && handler !== undefined && this.publicCommandNames.has(cmd.name)) {
            await handler(req, cmd.args);
          }
        } else if (req.isCallback) {
          await this.routeCallback(ctx, req);
        } else if (req.text !== undefined) {
          await this.routeText(req);
        }
      } catch (err) {
        this.deps.log.error('handler failed', {
          error: err,
          chat: req.chat.id,
          ...(traceOf(ctx) !== undefined ? { trace: traceOf(ctx) } : {}),
        });
        const text = describeForUser(err);
        await (req.isCallback ? req.toast(text, true) : req.reply({ html: html`${text}` })).catch(
          (sendErr: unknown) =>
            this.deps.log.warn('could not report a handler error', { error: sendErr }),
        );
      } finally {
        if (req.isCallback) await req.toast().catch(() => undefined);
      }
    };
  }

  private async routeText(req: Req): Promise<void> {
    const text = req.text ?? '';
    if (text.length > MAX_TEXT_ROUTE_LENGTH) return this.deps.fallback(req, []);
    if (text.startsWith('/')) {
      const cmd = parseCommand(text, this.deps.botUsername());
      const handler = cmd === undefined ? undefined : this.commandRoutes.get(cmd.name);
      if (cmd !== undefined && handler !== undefined) return handler(req, cmd.args);
    }
    for (const route of this.textRoutes) {
      if (route.pattern.test(text)) return route.handler(req, [text]);
    }
    const button = this.buttonRoutes.get(normaliseLabel(text));
    if (button !== undefined) return button(req, []);
    return this.deps.fallback(req, []);
  }

  private async routeCallback(ctx: Context, req: Req): Promise<void> {
    const data =
      ctx.callbackQuery !== undefined && 'data' in ctx.callbackQuery
        ? ctx.callbackQuery.data
        : undefined;
    const resolved = this.deps.callbacks.resolve(data, req.user.id);
    if (!resolved.ok) {
      const text =
        resolved.reason === 'foreign' ? 'This button belongs to another user.' : EXPIRED_BUTTON;
      return req.toast(text, resolved.reason === 'foreign');
    }
    const { action, args } = resolved.entry;
    const route = this.actionRoutes.get(action);
    if (route === undefined) return req.toast('This button is no longer supported.', true);
    const running = route.run(req, args);
    if (running !== undefined) return running;
    this.deps.log.warn('callback arguments rejected', { action, user: req.user.id });
    return req.toast(UNSUPPORTED_BUTTON, true);
  }

  private buildRequest(ctx: Context, access: AccessState): Req | undefined {
    const from = ctx.from;
    const chat = ctx.chat;
    if (from === undefined || chat === undefined) return undefined;
    const { sender, autoDelete } = this.deps;
    const cq = ctx.callbackQuery;
    const isCallback = cq !== undefined;
    const message = ctx.message;
    const text = message !== undefined && 'text' in message ? message.text : undefined;
    const messageId = isCallback ? cq.message?.message_id : message?.message_id;
    const userId = from.id;
    const chatId = chat.id;
    let answered = !isCallback;
    const req: Req = {
      user: {
        id: userId,
        firstName: from.first_name,
        ...(from.last_name !== undefined ? { lastName: from.last_name } : {}),
        ...(from.username !== undefined ? { username: from.username } : {}),
      },
      chat: {
        id: chatId,
        type: chat.type,
        ...('title' in chat && typeof chat.title === 'string' ? { title: chat.title } : {}),
      },
      text,
      messageId,
      isCallback,
      isAdmin: access.isAdmin,
      reply: (view, options) => sender.send(chatId, view, { ...options, forUser: userId }),
      show: async (view) => {
        if (isCallback && messageId !== undefined) {
          return sender.edit(chatId, messageId, view, { forUser: userId });
        }
        await sender.send(chatId, view, { forUser: userId });
        return 'sent';
      },
      toast: async (toastText, alert) => {
        if (answered || cq === undefined) return;
        answered = true;
        await sender.answer(cq.id, toastText, alert);
      },
      deleteLater: (id, delayMs) => autoDelete.schedule(chatId, id, delayMs),
      deleteNow: (id) => sender.delete(chatId, id),
      sendPhoto: (png, caption, options) =>
        sender.sendPhoto(chatId, png, caption, { ...options, forUser: userId }),
      showPhoto: (png, caption) =>
        isCallback && messageId !== undefined
          ? sender.editPhoto(chatId, messageId, png, caption, { forUser: userId })
          : sender.sendPhoto(chatId, png, caption, { forUser: userId }),
      sendDocument: (content, filename, caption) =>
        sender.sendDocument(chatId, content, filename, caption, { forUser: userId }),
    };
    return req;
  }
}
