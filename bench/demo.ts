/**
 * `tmbot demo` start-up: time from spawning `node dist/main.js demo` to the printed URL answering
 * 200, and the chat page's first render in headless Chromium (navigation to the page ready with
 * its chat loaded). Baseline in the same run: `node dist/main.js --version` (bare process start).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DemoChat, DemoProcess, launchBrowser } from '../test/support/demo-process';
import { fmt, machine, percentile, writeSection } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAIN_JS = resolve(__dirname, '..', 'dist', 'main.js');

function bareStart(): Promise<number> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [MAIN_JS, '--version'], { stdio: 'ignore' });
    p.on('exit', () => res(performance.now() - t0));
    p.on('error', rej);
  });
}

async function answers(url: string): Promise<void> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`demo page answered ${res.status}`);
  await res.arrayBuffer();
}

/** One demo start: ms to the URL answering; the URL is kept for the render measure. */
async function demoStart(): Promise<{ ms: number; demo: DemoProcess; url: string }> {
  const t0 = performance.now();
  // No Docker socket: start-up is measured without a Docker engine's latency.
  const demo = DemoProcess.start(['--docker-host', 'unix:///nonexistent/docker.sock']);
  const url = await demo.url(30_000);
  await answers(url);
  return { ms: performance.now() - t0, demo, url };
}

async function main(): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'tmbot-bench-chromium-'));
  const browser = await launchBrowser(profile);
  const bare: number[] = [];
  const starts: number[] = [];
  const renders: number[] = [];
  const replies: number[] = [];
  try {
    // One cold start first (disk cache, JIT): not counted; the target is for a warm machine.
    const cold = await demoStart();
    await cold.demo.stop();
    cold.demo.cleanup();
    for (let i = 0; i < ROUNDS; i++) {
      bare.push(await bareStart());
      const { ms, demo, url } = await demoStart();
      starts.push(ms);
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      renders.push(performance.now() - t0);
      const t1 = performance.now();
      await new DemoChat(page).expectBot(() => page.click('#start-button'), 'Hi, Ada');
      replies.push(performance.now() - t1);
      await page.close();
      await demo.stop();
      demo.cleanup();
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  const p50 = (s: number[]): number => percentile(s, 50);
  const max = (s: number[]): number => Math.max(...s);
  const report = `## Demo start-up and first render (bench/demo.ts)

${machine()}; ${ROUNDS} warm starts after one cold start, no Docker engine, headless Chromium.

| | p50 | max |
| --- | ---: | ---: |
| bare process start, \`tmbot --version\` (baseline) | ${fmt(p50(bare))} | ${fmt(max(bare))} |
| \`tmbot demo\` → printed URL answers 200 (target ≤ 3 s) | ${fmt(p50(starts))} | ${fmt(max(starts))} |
| **ratio** to the baseline | **${(p50(starts) / p50(bare)).toFixed(1)}** | |
| page first render (navigation → chat loaded, live updates on) | ${fmt(p50(renders))} | ${fmt(max(renders))} |
| Start pressed → the bot's welcome shown | ${fmt(p50(replies))} | ${fmt(max(replies))} |
`;
  process.stdout.write(`${report}\n`);
  writeSection('demo', report);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
