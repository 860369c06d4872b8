import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSchema, type SchemaNode } from '../../../src/config/schema';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');

/** Every property path of the schema: `docker`, `docker.host`, … */
function schemaPaths(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...schemaPaths(child, path)];
  });
}

/** Keys in the first cell of the reference tables: "| `docker.host` | …". */
function documentedKeys(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([a-z0-9_.]+)` \|/gm)].map((m) => m[1]!);
}

describe('docs/configuration.md', () => {
  const schema = loadSchema();
  const documented = documentedKeys(readFileSync(DOC, 'utf8'));

  it('documents every property of config/pytmbot.schema.json', () => {
    const missing = schemaPaths(schema).filter((p) => !documented.includes(p));
    expect(missing).toEqual([]);
  });

  it('documents no key the schema does not have, and each key once', () => {
    const known = new Set(schemaPaths(schema));
    expect(documented.filter((k) => !known.has(k))).toEqual([]);
    expect(documented.filter((k, i) => documented.indexOf(k) !== i)).toEqual([]);
  });
});
