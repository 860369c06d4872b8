import type { DockerEvent, EventStreamProblem } from './events-port';
import { obj, str } from './json';

/** Longest event line kept; real events are well under 4 KiB even with many labels. */
export const MAX_EVENT_LINE_BYTES = 64 * 1024;
/** Attributes kept per event and characters kept per attribute value. */
const MAX_ATTRIBUTES = 128;
const MAX_ATTRIBUTE_CHARS = 1024;

/**
 * Splits a byte stream into lines with a hard bound: a line longer than
 * {@link MAX_EVENT_LINE_BYTES} is dropped as it streams (memory never grows with it)
 * and reported once.
 */
export class BoundedLineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOversized: () => void,
    private readonly maxBytes = MAX_EVENT_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.discarding) {
        const piece = chunk.subarray(start, end);
        if (this.size + piece.length > this.maxBytes) {
          this.parts = [];
          this.size = 0;
          this.discarding = true;
          this.onOversized();
        } else if (piece.length > 0) {
          this.parts.push(piece);
          this.size += piece.length;
        }
      }
      if (nl === -1) return;
      if (!this.discarding && this.size > 0) {
        const line = Buffer.concat(this.parts, this.size).toString('utf8');
        this.onLine(line);
      }
      this.parts = [];
      this.size = 0;
      this.discarding = false;
      start = nl + 1;
    }
  }
}

/** One line of the events stream as an event, or the reason it is not one. */
export function parseEventLine(line: string): DockerEvent | EventStreamProblem {
  const trimmed = line.trim();
  if (trimmed === '') return 'bad-shape';
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    return 'not-json';
  }
  const o = obj(raw);
  const actor = obj(o.Actor);
  const type = str(o.Type);
  const action = str(o.Action);
  const id = str(actor.ID);
  const timeNano = typeof o.timeNano === 'number' ? BigInt(Math.trunc(o.timeNano)) : undefined;
  if (type === '' || action === '' || id === '' || timeNano === undefined) return 'bad-shape';
  const attributes: Record<string, string> = {};
  let count = 0;
  for (const [k, v] of Object.entries(obj(actor.Attributes))) {
    if (typeof v !== 'string' || count >= MAX_ATTRIBUTES) continue;
    attributes[k.slice(0, 256)] = v.slice(0, MAX_ATTRIBUTE_CHARS);
    count++;
  }
  const seconds = timeNano / 1_000_000_000n;
  const nanos = timeNano % 1_000_000_000n;
  return {
    type: type.slice(0, 32),
    action: action.slice(0, 128),
    id: id.slice(0, 512),
    attributes,
    time: Number(timeNano / 1_000_000n),
    timeNano: `${seconds}.${nanos.toString().padStart(9, '0')}`,
  };
}
