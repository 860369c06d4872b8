/**
 * `tmbot demo` in a real browser: Debian's Chromium driven by puppeteer-core opens the printed
 * URL and clicks through the real daemon (embedded Bot API server, private Docker engine, the
 * host's /proc) as the three demo people. Each step's screenshot is kept in
 * test-artifacts/demo/. Without Chromium the suite fails under CI and is skipped elsewhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { METRIC_TTL_MS } from '../../src/adapters/system/host-system';
import { describeDocker, removeAll, runBusybox, uniqueName } from '../support/docker-engine';
import { RECORD_EVERY_MS, Recorder } from '../support/host-recorder';
import {
  browserRequired,
  chromiumMissing,
  DemoChat,
  DemoProcess,
  launchBrowser,
} from '../support/demo-process';

jest.setTimeout(180_000);

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'demo');
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const STEP_MS = 20_000;

const loadavg = (): number[] =>
  readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).map(Number);

/** GET with chosen headers (fetch would not let a test forge Host or Origin). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

const missing = chromiumMissing();
const describeBrowser =
  missing === undefined || browserRequired()
    ? describeDocker
    : (name: string) => describe.skip(`${name} [skipped: ${missing}]`, () => undefined);

describeBrowser(
  'tmbot demo in a browser (real daemon, private Docker engine, Chromium)',
  (suite) => {
    let demo: DemoProcess;
    const loads = [0, 1, 2].map((i) => new Recorder(() => loadavg()[i] ?? NaN));
    let url: string;
    let browser: Browser;
    let page: Page;
    let profile: string;
    let step = 0;
    // Other test files share the private engine: a leading digit sorts this container first in
    // the list, whatever else runs at the same time.
    const prefix = uniqueName('0demo');
    const container = `${prefix}-web`;

    beforeAll(async () => {
      if (missing !== undefined) throw new Error(`no browser for the demo test: ${missing}`);
      // From before the bot starts: whatever load figure it caches was read after this.
      for (const r of loads) r.start();
      mkdirSync(ARTIFACTS, { recursive: true });
      await runBusybox(suite.engine, {
        name: container,
        cmd: `echo 'log line ${HOSTILE}'; while true; do sleep 1; done`,
        labels: { note: HOSTILE },
        env: { GREETING: HOSTILE },
      });
      demo = DemoProcess.start(['--docker-host', suite.engine.host]);
      url = await demo.url();
      profile = mkdtempSync(join(tmpdir(), 'tmbot-demo-chromium-'));
      browser = await launchBrowser(profile);
      page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 800 });
      // Any dialog an injected script might open is recorded, never shown.
      await page.evaluateOnNewDocument(
        'window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));',
      );
    });

    afterAll(async () => {
      for (const r of loads) r.stop();
      await browser?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
      await removeAll(suite.engine, prefix);
      if (demo) {
        await demo.stop();
        demo.cleanup();
      }
    });

    async function shot(name: string): Promise<void> {
      step += 1;
      await page.screenshot({
        path: join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`),
      });
    }

    const chat = (): DemoChat => new DemoChat(page, STEP_MS);
    const expectBot = (act: () => Promise<unknown>, needle: string | RegExp): Promise<string> =>
      chat().expectBot(act, needle);
    const click = (selector: string) => () => page.click(selector);
    const clickText = (scope: string, text: string) => () => chat().clickText(scope, text);
    const asPerson = (key: string) => chat().asPerson(key);
    const type = (text: string) => () => chat().type(text);

    it('refuses a wrong or missing token, a foreign Origin and a foreign Host with 403', async () => {
      const port = new URL(url).port;
      const wrong = await page.goto(`http://127.0.0.1:${port}/?token=wrong`);
      expect(wrong?.status()).toBe(403);
      expect(await page.$('#messages')).toBeNull();
      await shot('wrong-token');
      expect((await rawGet(`http://127.0.0.1:${port}/api/people`, {})).status).toBe(403);
      expect((await rawGet(url, { origin: 'http://evil.test' })).status).toBe(403);
      expect((await rawGet(url, { host: `localhost:${port}` })).status).toBe(403);
      const ok = await rawGet(url, {});
      expect(ok.status).toBe(200);
    });

    it('clicks through the bot as a user, the admin (Docker, 2FA) and a stranger', async () => {
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      await page.waitForSelector('body[data-ready="true"]');

      await asPerson('user');
      await expectBot(click('#start-button'), 'Hi, Bob');
      await shot('start');
      // Quick view reads the load first, and the bot caches host figures (and its history
      // collector may have read them just before): the bounds are every value the host showed
      // from one cache lifetime before Quick view to after the Load screen.
      const from = Date.now() - METRIC_TTL_MS.load - RECORD_EVERY_MS;
      const quick = await expectBot(clickText('#reply-keyboard', '👀 Quick view'), 'Quick view');
      expect(quick).toMatch(/Docker: \d+ running/);
      await shot('quick-view');
      await expectBot(clickText('#reply-keyboard', '🚀 Server'), /Server/);
      const loadText = await expectBot(clickText('#reply-keyboard', '🪫 Load average'), '1 min:');
      ['1 min:', '5 min:', '15 min:'].forEach((label, i) => {
        const shown = Number(
          /[\d.]+/.exec(loadText.slice(loadText.indexOf(label) + label.length))?.[0],
        );
        // A margin of 0.5 or 30 %, whichever is more, for rounding and a value read between samples.
        const { min: lo, max: hi } = loads[i]!.range(from);
        expect(shown).toBeGreaterThanOrEqual(lo - Math.max(0.5, lo * 0.3));
        expect(shown).toBeLessThanOrEqual(hi + Math.max(0.5, hi * 0.3));
      });
      await shot('server-load');

      await asPerson('admin');
      await expectBot(click('#start-button'), 'Hi, Ada');
      await expectBot(clickText('#reply-keyboard', '🐳 Docker'), /\d+ running \/ \d+ container/);
      const list = await expectBot(clickText('#reply-keyboard', '📦 Containers'), container);
      expect(list).toMatch(/\d+\/\d+ running/);
      await shot('docker-list');
      const details = await expectBot(clickText('.inline-kb', `🟢 ${container}`), 'Live usage');
      expect(details).toContain(HOSTILE);
      await shot('container-details');

      await expectBot(clickText('.inline-kb', '📜 Logs'), 'Two-factor authentication');
      await shot('2fa-prompt');
      const code = (await page.evaluate("document.getElementById('code').textContent")) as string;
      expect(code).toMatch(/^\d{6}$/);
      await expectBot(type(code), 'Code accepted');
      const logs = await expectBot(clickText('.inline-kb', 'Continue'), 'Logs of');
      expect(logs).toContain(`log line ${HOSTILE}`);
      await shot('container-logs');

      // Hostile text stayed text: no element from it, no script ran.
      expect(await page.$('#messages img[src="x"]')).toBeNull();
      expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
      expect(await page.evaluate('window.__alerts')).toEqual([]);

      await asPerson('stranger');
      const denial = await expectBot(click('#start-button'), /attempts? left|blocked/);
      expect(denial).not.toContain('Hi, Eve');
      await shot('stranger-denied');
    });

    it('stops on SIGINT with exit 0 and leaves nothing in its temp dir or home', async () => {
      expect(await demo.stop('SIGINT')).toBe(0);
      expect(demo.leftovers()).toEqual([]);
      expect(demo.output).not.toMatch(/DEMO-[\w-]{20,}/);
    });
  },
);
