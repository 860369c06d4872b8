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
    return Promise.resolve(text.length);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
