import { Worker } from 'node:worker_threads';
import type { EChartsOption } from 'echarts';
import type { Clock, Timer } from '../clock';

/** The worker ends after this long without a chart (frees ECharts, resvg and their memory). */
export const WORKER_IDLE_MS = 60_000;
/** A render that takes longer is abandoned and its worker ended. */
const RENDER_TIMEOUT_MS = 30_000;
/**
 * The worker's V8 old-space cap in MiB: a small heap makes V8 collect often, and each
 * collection frees the native pixmaps of resvg results it finds dead.
 */
const HEAP_LIMIT_MB = 48;

/**
 * The worker's code, plain CommonJS so it runs the same from `dist/` and under ts-jest.
 * It gets an ECharts option (plain data: no functions) and answers a PNG or an error.
 * resvg's native memory (tree, font data, pixmap: ~2 MiB a render) is freed only by the
 * finalizers of its JS wrappers, which run in a later task after a collection: so once a
 * PNG is sent, the worker collects, yields, and collects again (measured: a render loop
 * without it grew ~2 MiB a render, with it stayed flat). A fresh ECharts instance per
 * render: reusing one with `notMerge` grew ~0.4 MiB a render (docs/performance.md).
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require('node:v8').setFlagsFromString('--expose-gc');
// Not named gc: a daemon started with --expose-gc gives its workers a global gc already.
const collectGarbage = require('node:vm').runInNewContext('gc');
const echarts = require(workerData.echarts);
const { Resvg } = require(workerData.resvg);
const font = { loadSystemFonts: false, fontFiles: [workerData.font], defaultFontFamily: workerData.family };
const collect = () => setImmediate(() => { collectGarbage(); setImmediate(() => collectGarbage()); });
parentPort.on('message', (m) => {
  let chart;
  try {
    chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: workerData.width, height: workerData.height });
    chart.setOption(m.option);
    const svg = chart.renderToSVGString();
    chart.dispose();
    chart = undefined;
    const png = new Resvg(svg, { font }).render().asPng();
    parentPort.postMessage({ id: m.id, png });
  } catch (err) {
    if (chart !== undefined) chart.dispose();
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
  collect();
});
`;

interface Pending {
  resolve(png: Buffer): void;
  reject(err: Error): void;
  timer: Timer;
}

export interface ChartWorkerSetup {
  readonly font: string;
  readonly family: string;
  readonly width: number;
  readonly height: number;
}

/** One render worker thread; ends itself when idle (and then `onExit` runs). */
export class ChartWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private idle: Timer | undefined;

  constructor(
    setup: ChartWorkerSetup,
    private readonly clock: Clock,
    private readonly idleMs: number,
    onExit: () => void,
  ) {
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: {
        ...setup,
        echarts: require.resolve('echarts'),
        resvg: require.resolve('@resvg/resvg-js'),
      },
      resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB },
    });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; png?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.settle(m.id);
      if (m.png !== undefined)
        p.resolve(Buffer.from(m.png.buffer, m.png.byteOffset, m.png.byteLength));
      else p.reject(new Error(`chart render failed: ${m.error ?? 'unknown error'}`));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => {
      this.idle?.cancel();
      this.failAll(new Error('chart worker stopped'));
      onExit();
    });
  }

  render(option: EChartsOption): Promise<Buffer> {
    this.idle?.cancel();
    const id = this.seq++;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        reject(new Error('chart render timed out'));
        void this.end();
      }, RENDER_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, option });
    });
  }

  async end(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(id: number): void {
    this.pending.get(id)?.timer.cancel();
    this.pending.delete(id);
    if (this.pending.size === 0)
      this.idle = this.clock.setTimeout(() => void this.end(), this.idleMs);
  }

  private failAll(err: Error): void {
    for (const [id, p] of [...this.pending]) {
      p.timer.cancel();
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
