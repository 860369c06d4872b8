import type { LogFollow, LogStream } from './log-follow-port';

const HEADER = 8;

/**
 * Splits bytes into lines of at most `maxBytes`: a longer line is cut there and the
 * rest up to its newline is dropped as it streams, so memory never grows with it.
 */
export class LineCutter {
  private parts: Buffer[] = [];
  private size = 0;
  private cut = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string, cut: boolean) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const room = this.maxBytes - this.size;
      if (nl !== -1 && this.size === 0 && !this.cut && end - start <= room) {
        // The common case, a whole line inside one chunk: no copy before the string.
        this.onLine(
          chunk.toString('utf8', start, end > start && chunk[end - 1] === 0x0d ? end - 1 : end),
          false,
        );
        start = nl + 1;
        continue;
      }
      if (end - start > room) this.cut = true;
      const piece = chunk.subarray(start, start + Math.min(end - start, Math.max(0, room)));
      if (piece.length > 0) {
        this.parts.push(piece);
        this.size += piece.length;
      }
      if (nl === -1) return;
      this.emit();
      start = nl + 1;
    }
  }

  /** Emits what is left (the stream ended without a final newline). */
  end(): void {
    if (this.size > 0 || this.cut) this.emit();
  }

  private emit(): void {
    const line = Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, '');
    const cut = this.cut;
    this.parts = [];
    this.size = 0;
    this.cut = false;
    this.onLine(line, cut);
  }
}

/**
 * The engine's multiplexed log stream (8-byte header: stream 1 or 2, three zero bytes,
 * big-endian payload length) passed through as it arrives: a payload is never buffered
 * whole, so a frame that claims gigabytes costs nothing but the bytes that come.
 */
export class FrameDemuxer {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private stream: LogStream = 'stdout';

  constructor(private readonly onData: (stream: LogStream, bytes: Buffer) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.onData(this.stream, chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        continue;
      }
      if (this.header.length === 0 && chunk.length - offset >= HEADER) {
        // The whole header is in this chunk: read it in place.
        this.stream = chunk[offset] === 2 ? 'stderr' : 'stdout';
        this.remaining = chunk.readUInt32BE(offset + 4);
        offset += HEADER;
        continue;
      }
      const need = HEADER - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += need;
      if (this.header.length < HEADER) return;
      this.stream = this.header[0] === 2 ? 'stderr' : 'stdout';
      this.remaining = this.header.readUInt32BE(4);
      this.header = Buffer.alloc(0);
    }
  }
}

/**
 * Reads a followed log body until it ends: demultiplexed unless the container has a
 * TTY, each stream split into its own bounded lines (an stderr line never splices into
 * a half-written stdout line).
 */
export function readFollowedLog(
  res: NodeJS.ReadableStream,
  tty: boolean,
  follow: Pick<LogFollow, 'maxLineBytes' | 'onLine' | 'backpressure'>,
): Promise<void> {
  const cutter = (stream: LogStream): LineCutter =>
    new LineCutter(follow.maxLineBytes, (line, cut) => follow.onLine(line, stream, cut));
  const out = cutter('stdout');
  const err = cutter('stderr');
  const demux = new FrameDemuxer((stream, bytes) => (stream === 'stderr' ? err : out).push(bytes));
  return new Promise<void>((resolve) => {
    const done = (): void => {
      out.end();
      err.end();
      resolve();
    };
    res.on('data', (chunk: Buffer) => {
      if (tty) out.push(chunk);
      else demux.push(chunk);
      const wait = follow.backpressure?.();
      if (wait === undefined) return;
      res.pause();
      void wait.then(() => res.resume());
    });
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
  });
}
