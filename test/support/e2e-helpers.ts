import { createHmac } from 'node:crypto';
import type { EmuMessage } from './bot-api-emulator';
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
