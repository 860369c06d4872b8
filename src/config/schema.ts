import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The subset of JSON Schema that config/pytmbot.schema.json uses. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  additionalProperties?: boolean;
  minimum?: number;
  maximum?: number;
}

/** Absolute path of the schema shipped beside dist/ and src/. */
export const SCHEMA_PATH = join(__dirname, '..', '..', 'config', 'pytmbot.schema.json');

let cached: SchemaNode | undefined;

export function loadSchema(): SchemaNode {
  cached ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
  return cached;
}
