/**
 * docs/migration.md names every command tmbot registers and every section and key of the
 * config schema (two levels), and names no command or key that does not exist.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import schemaJson from '../../../config/pytmbot.schema.json';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  items?: Node;
}

const ROOT = join(__dirname, '..', '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'migration.md'), 'utf8');
const SCHEMA = schemaJson as unknown as Node;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'demo' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `router.command('name', …)` in src/ (the demo's own Bot API server is not the bot). */
const REGISTERED = new Set(
  sources(join(ROOT, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/router\.command\(\s*'([a-z0-9_]+)'/g)].map(
      (m) => m[1] ?? '',
    ),
  ),
);

/** Top-level keys and the keys of each object section. */
const SCHEMA_KEYS: string[] = Object.entries(SCHEMA.properties ?? {}).flatMap(([key, node]) => [
  key,
  ...Object.keys(node.properties ?? {}).map((child) => `${key}.${child}`),
]);

/** Code spans of the doc. */
const SPANS = [...DOC.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');

function resolves(path: string): boolean {
  let node: Node | undefined = SCHEMA;
  for (const part of path.split('.')) {
    node = node?.type === 'array' ? node.items : node;
    node = node?.properties?.[part];
    if (node === undefined) return false;
  }
  return true;
}

describe('docs/migration.md', () => {
  it('finds the commands the bot registers', () => {
    expect(REGISTERED.size).toBeGreaterThan(15);
    expect([...REGISTERED]).toEqual(
      expect.arrayContaining(['start', 'check_bot_updates', 'outline']),
    );
  });

  it('names every registered command', () => {
    const named = new Set(SPANS.filter((s) => /^\/[a-z0-9_]+$/.test(s)).map((s) => s.slice(1)));
    expect([...REGISTERED].filter((c) => !named.has(c))).toEqual([]);
  });

  it('names no command that does not exist (2FA codes aside)', () => {
    const named = SPANS.filter((s) => /^\/[a-z_]+$/.test(s)).map((s) => s.slice(1));
    expect(named.filter((c) => !REGISTERED.has(c))).toEqual([]);
  });

  it('names every top-level and section key of the schema', () => {
    const named = new Set(SPANS);
    expect(SCHEMA_KEYS.filter((k) => !named.has(k))).toEqual([]);
  });

  it('names no config key that does not exist', () => {
    const topLevel = new Set(Object.keys(SCHEMA.properties ?? {}));
    const keys = SPANS.filter(
      (s) =>
        s.split('.').every((part) => /^[a-z_0-9]+$/.test(part)) &&
        topLevel.has(s.split('.')[0] ?? ''),
    );
    expect(keys.length).toBeGreaterThan(SCHEMA_KEYS.length);
    expect(keys.filter((k) => !resolves(k))).toEqual([]);
  });
});
