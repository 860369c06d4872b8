import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { EChartsOption } from 'echarts';
import type { Clock, Timer } from '../clock';

/** The renderer process exits after this long without a chart (its memory goes back to the system). */
export const RENDERER_IDLE_MS = 60_000;
/** A fresh process after this many renders, so its resident memory stays bounded while charts keep coming. */
export const RENDERS_PER_PROCESS = 200;
/** A render that takes longer is abandoned and its process killed. */
const RENDER_TIMEOUT_MS = 30_000;
/** The renderer's V8 old-space cap in MiB: a small heap makes V8 collect (and free resvg's pixmaps) often. */
const HEAP_LIMIT_MB = 48;
/** An ECharts option bigger than this is refused before it is sent (a downsampled chart is ~50 KiB). */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** A reply frame bigger than this ends the renderer (an 800 × 400 PNG is ~100 KiB). */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;
/** Reply frame header: u32 request id, u8 ok, u32 body length (little-endian). */
const HEADER_BYTES = 9;

/**
 * The renderer's code, plain CommonJS run with `node -e` so it is the same from `dist/` and
 * under ts-jest. Requests arrive on stdin as one JSON line each (`{ id, option }`: plain data,
 * no functions); each answer is a frame on stdout: the header above, then the PNG or the error
 * text. A fresh ECharts instance per render (reusing one grew ~0.4 MiB a render). resvg's native
 * memory is freed only by the finalizers of its JS wrappers, which run in a later task after a
 * collection: so once a PNG is written the process collects, yields and collects again. It
 * exits when its stdin closes.
 */
const SOURCE = `
const setup = JSON.parse(process.argv[1]);
const echarts = require(setup.echarts);
const { Resvg } = require(setup.resvg);
const font = { loadSystemFonts: false, fontFiles: [setup.font], defaultFontFamily: setup.family };
const collect = () => setImmediate(() => { gc(); setImmediate(() => gc()); });
const reply = (id, ok, body) => {
  const head = Buffer.alloc(${HEADER_BYTES});
  head.writeUInt32LE(id, 0);
  head.writeUInt8(ok ? 1 : 0, 4);
  head.writeUInt32LE(body.length, 5);
  process.stdout.write(Buffer.concat([head, body]));
};
const render = (m) => {
  let chart;
  try {
    chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: setup.width, height: setup.height });
    chart.setOption(m.option);
    const svg = chart.renderToSVGString();
    chart.dispose();
    chart = undefined;
    reply(m.id, true, new Resvg(svg, { font }).render().asPng());
  } catch (err) {
    if (chart !== undefined) chart.dispose();
    reply(m.id, false, Buffer.from(String((err && err.message) || err).slice(0, 500)));
  }
};
let inbox = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  inbox += chunk;
  for (let nl = inbox.indexOf('\\n'); nl >= 0; nl = inbox.indexOf('\\n')) {
    const line = inbox.slice(0, nl);
    inbox = inbox.slice(nl + 1);
    render(JSON.parse(line));
    collect();
  }
});
process.stdin.on('end', () => process.exit(0));
`;

interface Pending {
  resolve(png: Buffer): void;
  reject(err: Error): void;
  timer: Timer;
}

export interface ChartProcessSetup {
  readonly font: string;
  readonly family: string;
  readonly width: number;
  readonly height: number;
}

/**
 * One renderer child process (`process.execPath`, no shell, no inherited flags, SIGUSR1 opens
 * no inspector). It ends itself when idle; `onExit` runs whenever it is gone (idle, recycled,
 * killed or crashed), so the next chart starts a fresh one.
 */
export class ChartProcess {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly pending = new Map<number, Pending>();
  private readonly exited: Promise<void>;
  private inbox: Buffer = Buffer.alloc(0);
  private seq = 0;
  private renders = 0;
  private idle: Timer | undefined;

  constructor(
    setup: ChartProcessSetup,
    private readonly clock: Clock,
    private readonly idleMs: number,
    onExit: () => void,
  ) {
    const modules = {
      echarts: require.resolve('echarts'),
      resvg: require.resolve('@resvg/resvg-js'),
    };
    const flags = ['--disable-sigusr1', '--expose-gc', `--max-old-space-size=${HEAP_LIMIT_MB}`];
    this.child = spawn(
      process.execPath,
      [...flags, '-e', SOURCE, JSON.stringify({ ...setup, ...modules })],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    this.child.stdin.on('error', () => undefined); // a dead renderer shows as its exit below
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.exited = new Promise((resolve) => {
      let gone = false;
      const end = (why: string): void => {
        if (gone) return;
        gone = true;
        this.child.stdin.destroy(); // a renderer still running after an error exits at end of input
        this.idle?.cancel();
        this.failAll(new Error(`chart renderer ${why}`));
        onExit();
        resolve();
      };
      this.child.once('exit', (code, signal) => end(`exited (${signal ?? `code ${code}`})`));
      // A process that could not start (EAGAIN, EMFILE…) emits no exit.
      this.child.once('error', (err) => end(`could not run: ${err.message}`));
    });
    this.hold(false);
  }

  /** Whether this process has done its share of renders (the next chart should use a fresh one). */
  get spent(): boolean {
    return this.renders >= RENDERS_PER_PROCESS;
  }

  render(option: EChartsOption): Promise<Buffer> {
    this.idle?.cancel();
    const id = this.seq++;
    this.renders++;
    const line = `${JSON.stringify({ id, option })}\n`;
    if (Buffer.byteLength(line) > MAX_REQUEST_BYTES)
      return Promise.reject(new Error('chart render failed: too much data for one chart'));
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        reject(new Error('chart render timed out'));
        void this.end();
      }, RENDER_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.hold(true);
      this.child.stdin.write(line);
    });
  }

  /** Kills the process (if still running) and waits until it is gone. */
  async end(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private onData(chunk: Buffer): void {
    this.inbox = this.inbox.length === 0 ? chunk : Buffer.concat([this.inbox, chunk]);
    while (this.inbox.length >= HEADER_BYTES) {
      const length = this.inbox.readUInt32LE(5);
      if (length > MAX_REPLY_BYTES) {
        this.failAll(new Error('chart renderer sent an oversized reply'));
        void this.end();
        return;
      }
      if (this.inbox.length < HEADER_BYTES + length) return;
      const id = this.inbox.readUInt32LE(0);
      const ok = this.inbox.readUInt8(4) === 1;
      const body = Buffer.from(this.inbox.subarray(HEADER_BYTES, HEADER_BYTES + length));
      this.inbox = this.inbox.subarray(HEADER_BYTES + length);
      const p = this.pending.get(id);
      if (p === undefined) continue;
      this.settle(id);
      if (ok) p.resolve(body);
      else p.reject(new Error(`chart render failed: ${body.toString('utf8')}`));
    }
  }

  /** The daemon waits for the process only while a render is in flight. */
  private hold(busy: boolean): void {
    const pipes = [this.child.stdin, this.child.stdout] as Socket[];
    for (const handle of [this.child, ...pipes]) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }

  private settle(id: number): void {
    this.pending.get(id)?.timer.cancel();
    this.pending.delete(id);
    if (this.pending.size === 0) {
      this.hold(false);
      this.idle = this.clock.setTimeout(() => void this.end(), this.idleMs);
    }
  }

  private failAll(err: Error): void {
    for (const [id, p] of [...this.pending]) {
      p.timer.cancel();
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
