import type { StateStore } from '../../src/state/json-store';

/** An in-memory StateStore that round-trips through JSON like the real one. */
export class MemoryStore implements StateStore {
  readonly persistent = true;
  readonly dir = '/memory';
  readonly files = new Map<string, string>();

  read<T>(name: string, guard: (value: unknown) => value is T): T | undefined {
    const text = this.files.get(name);
    if (text === undefined) return undefined;
    const v: unknown = JSON.parse(text);
    return guard(v) ? v : undefined;
  }
  write(name: string, value: unknown): Promise<void> {
    this.files.set(name, JSON.stringify(value));
    return Promise.resolve();
  }
  appendLine(name: string, line: string): Promise<number> {
    const text = (this.files.get(name) ?? '') + line + '\n';
    this.files.set(name, text);
    return Promise.resolve(Buffer.byteLength(text));
  }
  readText(name: string): Promise<string | undefined> {
    return Promise.resolve(this.files.get(name));
  }
  rotate(name: string, keep: number): Promise<void> {
    const generation = (g: number): string => (g === 0 ? name : `${name}.${g}`);
    for (let g = keep; g >= 1; g--) {
      const v = this.files.get(generation(g - 1));
      if (v === undefined) continue;
      this.files.delete(generation(g - 1));
      this.files.set(generation(g), v);
    }
    return Promise.resolve();
  }
  remove(name: string): Promise<void> {
    this.files.delete(name);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
