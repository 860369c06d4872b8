import type { ChunkDecoder } from './engine-client';

const HEADER = 8;

/**
 * Splits the engine's multiplexed log stream (8-byte header: stream type, 3 zero
 * bytes, big-endian length; then the payload) into payloads. A container with a
 * TTY sends raw bytes instead: use {@link RawDecoder} for those.
 */
export class FrameDecoder implements ChunkDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Buffer[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= HEADER) {
      const length = this.buffer.readUInt32BE(offset + 4);
      if (this.buffer.length - offset - HEADER < length) break;
      out.push(this.buffer.subarray(offset + HEADER, offset + HEADER + length));
      offset += HEADER + length;
    }
    this.buffer = this.buffer.subarray(offset);
    return out;
  }
}

/** A TTY container's log: bytes as they come. */
export class RawDecoder implements ChunkDecoder {
  push(chunk: Buffer): Buffer[] {
    return [chunk];
  }
}
