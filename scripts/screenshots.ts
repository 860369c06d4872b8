/**
 * `npm run screenshots`: drives `tmbot demo` in headless Chromium and writes PNGs of the main
 * screens to docs/images/. Docker screens use a private engine with two sample containers when
 * this machine can start one (root + dockerd), else whatever --docker-host the demo finds.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { DemoChat, DemoProcess, launchBrowser } from '../test/support/demo-process';
import {
  cannotStartEngineReason,
  ensureBusyboxImage,
  runBusybox,
  startEngine,
  type OwnedDockerEngine,
} from '../test/support/docker-engine';

const OUT = resolve(__dirname, '..', 'docs', 'images');

async function sampleEngine(): Promise<OwnedDockerEngine | undefined> {
  const why = cannotStartEngineReason();
  if (why !== undefined) {
    console.warn(
      `screenshots: no private Docker engine (${why}); Docker screens show the local host`,
    );
    return undefined;
  }
  const engine = await startEngine();
  await ensureBusyboxImage(engine);
  await runBusybox(engine, { name: 'web', cmd: 'while true; do echo serving; sleep 5; done' });
  await runBusybox(engine, { name: 'worker', cmd: 'while true; do sleep 1; done' });
  return engine;
}

async function tour(page: Page, url: string): Promise<void> {
  const chat = new DemoChat(page, 30_000);
  const shot = (name: string): Promise<unknown> =>
    page.screenshot({ path: join(OUT, `demo-${name}.png`) });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  // Two people share the clicks: the bot allows 8 requests per 10 s per user.
  await chat.asPerson('user');
  await chat.expectBot(() => page.click('#start-button'), 'Hi, Bob');
  await shot('start');
  await chat.expectBot(() => chat.clickText('#reply-keyboard', 'Quick view'), 'Quick view');
  await shot('quick-view');
  await chat.expectBot(() => chat.clickText('#reply-keyboard', 'Server'), /Server/);
  await chat.expectBot(() => chat.clickText('#reply-keyboard', 'CPU'), /CPU/);
  await shot('server-cpu');
  await chat.asPerson('admin');
  await chat.expectBot(() => page.click('#start-button'), 'Hi, Ada');
  await chat.expectBot(() => chat.clickText('#reply-keyboard', 'Docker'), /Docker/);
  await chat.expectBot(() => chat.clickText('#reply-keyboard', 'Containers'), /Containers/);
  await shot('docker-containers');
  await chat.expectBot(() => chat.clickText('.inline-kb', 'web'), 'Live usage');
  await shot('container-details');
  await chat.expectBot(() => chat.clickText('.inline-kb', 'Logs'), 'Two-factor authentication');
  await shot('two-factor');
  await chat.asPerson('stranger');
  await chat.expectBot(() => page.click('#start-button'), /attempts? left/);
  await shot('stranger');
  await page.setViewport({ width: 390, height: 780 });
  await chat.asPerson('admin');
  await shot('phone');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const engine = await sampleEngine();
  const demo = DemoProcess.start(engine ? ['--docker-host', engine.host] : []);
  const profile = mkdtempSync(join(tmpdir(), 'tmbot-screenshots-'));
  try {
    const url = await demo.url();
    const browser = await launchBrowser(profile);
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 760 });
      await tour(page, url);
    } finally {
      await browser.close();
    }
    console.log(`screenshots written to ${OUT}`);
  } finally {
    await demo.stop();
    demo.cleanup();
    rmSync(profile, { recursive: true, force: true });
    await engine?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
