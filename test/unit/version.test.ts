import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION } from '../../src/version';

it('APP_VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(APP_VERSION).toBe(pkg.version);
});
