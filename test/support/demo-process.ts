/**
 * `tmbot demo` as a child process for tests and benchmarks: the built daemon (`dist/main.js demo`)
 * with its own TMPDIR and HOME under a temp dir, so a test can check that the demo writes nothing
 * outside them and leaves nothing behind; plus Chromium (Debian's package) driven by
 * puppeteer-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const MAIN_JS = resolve(__dirname, '..', '..', 'dist', 'main.js');

/** Debian's chromium (installed by .ci/run); puppeteer-core never downloads a browser. */
export const CHROMIUM = process.env.TMBOT_CHROMIUM ?? '/usr/bin/chromium';

/** Why no browser test can run here, or undefined. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install chromium)`;
}

/** True when a missing browser must fail the run rather than skip (CI). */
export function browserRequired(): boolean {
  return process.env.CI === 'true' || process.env.TMBOT_REQUIRE_DOCKER === '1';
}

/** A running `tmbot demo`. */
export class DemoProcess {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    /** TMPDIR and HOME of the demo: it must leave both empty. */
    readonly tmp: string,
    readonly home: string,
    private readonly root: string,
  ) {
    proc.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => proc.on('exit', (code) => res(code)));
  }

  /** Starts `node dist/main.js demo ARGS`. */
  static start(args: readonly string[] = []): DemoProcess {
    const root = mkdtempSync(join(tmpdir(), 'tmbot-demo-test-'));
    const tmp = join(root, 'tmp');
    const home = join(root, 'home');
    mkdirSync(tmp);
    mkdirSync(home);
    const proc = spawn(process.execPath, [MAIN_JS, 'demo', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DemoProcess(proc, tmp, home, root);
  }

  /** The printed URL, once it is printed. */
  async url(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(this.output);
      if (m) return m[0];
      if (this.proc.exitCode !== null)
        throw new Error(
          `demo exited (${this.proc.exitCode}) before printing a URL:\n${this.output}`,
        );
      if (Date.now() > deadline) throw new Error(`demo printed no URL:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Sends a signal and waits for the exit code (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 10_000): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** What the demo left in its TMPDIR and HOME. */
  leftovers(): string[] {
    return [...readdirSync(this.tmp), ...readdirSync(this.home)];
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Headless Chromium with a fresh profile in `profileDir`. */
export function launchBrowser(profileDir: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profileDir,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A person in the demo chat page, as a browser user clicks it (no DOM types: code as strings). */
export class DemoChat {
  constructor(
    private readonly page: Page,
    private readonly timeoutMs = 20_000,
  ) {}

  /** Texts of the bot's messages as shown now. */
  botTexts(): Promise<string[]> {
    return this.page.evaluate(
      "[...document.querySelectorAll('#messages .msg.bot')].map((e) => e.textContent || '')",
    ) as Promise<string[]>;
  }

  /** Runs `act`, then waits for a bot message (new or edited) that contains `needle`. */
  async expectBot(act: () => Promise<unknown>, needle: string | RegExp): Promise<string> {
    const before = await this.botTexts();
    await act();
    const test =
      typeof needle === 'string'
        ? `t.includes(${JSON.stringify(needle)})`
        : `new RegExp(${JSON.stringify(needle.source)}).test(t)`;
    const handle = await this.page.waitForFunction(
      `(() => {
        const old = new Set(${JSON.stringify(before)});
        const hit = [...document.querySelectorAll('#messages .msg.bot')]
          .map((e) => e.textContent || '')
          .find((t) => !old.has(t) && ${test});
        return hit || false;
      })()`,
      { timeout: this.timeoutMs },
    );
    return (await handle.jsonValue()) as string;
  }

  /** Clicks the first button in `scope` whose label contains `text`. */
  async clickText(scope: string, text: string): Promise<void> {
    const labels = (await this.page.evaluate(
      `[...document.querySelectorAll(${JSON.stringify(`${scope} button`)})].map((b) => b.textContent || '')`,
    )) as string[];
    const index = labels.findIndex((l) => l.includes(text));
    if (index < 0) throw new Error(`no "${text}" button in ${scope}: ${labels.join(' | ')}`);
    const buttons = await this.page.$$(`${scope} button`);
    await buttons[index]?.click();
  }

  /** Switches the page to another demo person. */
  async asPerson(key: string): Promise<void> {
    await this.page.click(`#people input[value="${key}"]`);
    await this.page.waitForSelector(`body[data-person="${key}"]`, { timeout: this.timeoutMs });
  }

  /** Types a message and sends it with Enter. */
  async type(text: string): Promise<void> {
    await this.page.type('#text', text);
    await this.page.keyboard.press('Enter');
  }
}
