import { createHmac } from 'node:crypto';
import type { BotApiEmulator, EmuMessage, UserDriver } from './bot-api-emulator';
import { TEST_SALT } from './daemon';

/** The 2FA code of `userId` at `at`, from the documented derivation (rotation 0). */
export function totp(userId: number, at = Date.now()): string {
  const key = createHmac('sha256', TEST_SALT)
    .update(`totp-v1:${userId}:0`)
    .digest()
    .subarray(0, 20);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const h = createHmac('sha1', key).update(counter).digest();
  const offset = (h[h.length - 1] ?? 0) & 0xf;
  return String((h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The texts of a message's inline buttons, in order. */
export const buttons = (m: EmuMessage): string[] =>
  (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);

/**
 * Polls `check` every 50 ms until it returns a value (anything but undefined) and returns it;
 * after `timeoutMs` throws, saying what it waited for and what `context` adds (logs, transcript).
 */
export async function until<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 30_000,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}. ${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls `check` every 100 ms until it holds; throws after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Host conditions that need 100 checks in a row to fire: Docker alert tests on a busy CI
 * machine must not receive CPU or memory alerts grouped with the ones they wait for.
 */
export const QUIET_HOST_CONDITIONS = {
  cpu: { debounce_checks: 100 },
  memory: { debounce_checks: 100 },
  disk: { debounce_checks: 100 },
  load: { debounce_checks: 100 },
  swap: { debounce_checks: 100 },
};

/** Temperature thresholds no sensor reaches (`plugins_config.monitor.tracehold`). */
export const NO_TEMPERATURE_ALERTS = {
  cpu_temperature_threshold: 1000,
  gpu_temperature_threshold: 1000,
  disk_temperature_threshold: 1000,
};

/**
 * Presses inline buttons as one user and waits for the pressed message to be edited into what
 * the test expects. A privileged press goes through the 2FA prompt the first time (the code, then
 * "Continue"); later ones go straight through, as the session lasts.
 */
export class ButtonPresser {
  private authed = false;

  constructor(
    private readonly emu: BotApiEmulator,
    private readonly user: UserDriver,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Presses the button starting with `text`; resolves with the first later edit matching `until`. */
  async press(m: EmuMessage, text: string, until: RegExp): Promise<EmuMessage> {
    const data = callbackData(m, text);
    // Only edits after this press count: the message may have matched before.
    const seen =
      this.emu.transcript(m.chat.id).find((e) => e.message_id === m.message_id)?.edits?.length ?? 0;
    let n = 0;
    await this.user.press(m, data);
    const e = await this.emu.waitFor((ev) => {
      if (ev.type !== 'edit' || ev.chatId !== m.chat.id || ev.message.message_id !== m.message_id)
        return false;
      n++;
      return n > seen && until.test(ev.message.text ?? '');
    }, this.timeoutMs);
    return (e as { message: EmuMessage }).message;
  }

  /** Like {@link press} for a button behind 2FA: the first time, answers the prompt and continues. */
  async pressGuarded(m: EmuMessage, text: string, until: RegExp): Promise<EmuMessage> {
    if (this.authed) return this.press(m, text, until);
    const data = callbackData(m, text);
    // Alerts may share the chat: wait for the prompt itself, newer than anything so far.
    const last = Math.max(0, ...this.emu.transcript(m.chat.id).map((e) => e.message_id));
    const next = (re: RegExp, after: number): Promise<EmuMessage> =>
      this.emu.waitForMessage(
        (x) => x.chat.id === m.chat.id && x.message_id > after && re.test(x.text ?? ''),
        20_000,
      );
    await this.user.press(m, data);
    const prompt = await next(/Two-factor authentication/, last);
    await this.user.text(totp(this.user.id));
    const accepted = await next(/Code accepted/, prompt.message_id);
    this.authed = true;
    return this.press(accepted, 'Continue', until);
  }
}

function callbackData(m: EmuMessage, text: string): string {
  const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text.startsWith(text));
  if (b === undefined || !('callback_data' in b))
    throw new Error(`no button "${text}" in: ${buttons(m).join(' | ')}\n${m.text ?? ''}`);
  return b.callback_data;
}
