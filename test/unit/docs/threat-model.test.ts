/**
 * The threat model in docs/security.md names, for every threat, the test that proves its control as
 * `file › describe › test`. This checks each reference points at a real test: the file exists and
 * every title segment is a string literal in it (an `it.each` title with `%s` matches its
 * expansions). The suite itself runs those tests, so a named test also passes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const DOCS = ['docs/security.md'];

/** `file › a › b` references inside code spans. */
function references(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)]
    .map((m) => m[1]!)
    .filter((span) => /^\S+\.test\.ts › /.test(span));
}

/** Titles of describe/it/test calls (and `it.each(...)(title)`), as exact strings or %-templates. */
function titles(source: string): ((title: string) => boolean)[] {
  const calls =
    /\b(?:describe\w*|suite|it|test)(?:\.(?:only|skip))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*?)\1|\)\(\s*(['"`])((?:\\.|(?!\3)[^\\])*?)\3/g;
  const found = [...source.matchAll(calls)].map((m) =>
    (m[2] ?? m[4] ?? '').replace(/\\(.)/g, '$1'),
  );
  return found.map((lit) => {
    if (!/%[sdifjop#]/.test(lit)) return (t: string) => t === lit;
    const pattern = lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%[sdifjop#]/g, '.+');
    // eslint-disable-next-line security/detect-non-literal-regexp -- built from a test title with every metacharacter escaped
    const re = new RegExp(`^${pattern}$`);
    return (t: string) => re.test(t);
  });
}

describe('threat model references', () => {
  it('docs/security.md exists', () => {
    expect(existsSync(join(ROOT, 'docs/security.md'))).toBe(true);
  });

  it.each(DOCS)('every table row of %s names a proving test', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const section = text
      .split(/^#{2,3} /m)
      .find((s) => s.startsWith('Threats, controls and proofs'));
    expect(section).toBeDefined();
    if (section === undefined) return;
    const rows = section.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*(Actor|-)/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows)
      expect([row.slice(0, 60), references(row).length > 0]).toEqual([row.slice(0, 60), true]);
  });

  it.each(DOCS)('every test named in %s exists', (doc) => {
    const missing: string[] = [];
    for (const ref of references(readFileSync(join(ROOT, doc), 'utf8'))) {
      const [file = '', ...segments] = ref.split(' › ');
      const path = join(ROOT, file);
      if (!existsSync(path)) {
        missing.push(`${ref} (no such file)`);
        continue;
      }
      const known = titles(readFileSync(path, 'utf8'));
      // "…" stands for a describe block named in the row before.
      for (const segment of segments.filter((s) => s !== '…')) {
        if (!known.some((matches) => matches(segment)))
          missing.push(`${ref} (no test titled "${segment}")`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the checker rejects a reference to a test that does not exist', () => {
    const known = titles(
      "describe('a', () => { it.each([1])('runs case %i', () => {}); it('b c', () => {}); });",
    );
    const has = (t: string): boolean => known.some((m) => m(t));
    expect(has('a')).toBe(true);
    expect(has('b c')).toBe(true);
    expect(has('runs case 7')).toBe(true);
    expect(has('b')).toBe(false);
    expect(references('see `test/x.test.ts › a › b c` and `not a ref`')).toEqual([
      'test/x.test.ts › a › b c',
    ]);
  });
});
