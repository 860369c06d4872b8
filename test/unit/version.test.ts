import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION, compareVersions } from '../../src/version';

it('APP_VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(APP_VERSION).toBe(pkg.version);
});

describe('compareVersions', () => {
  it('orders releases and pre-releases', () => {
    expect(compareVersions('0.3.0-dev', '0.3.0')).toBe(-1);
    expect(compareVersions('0.3.3', '0.4.0')).toBe(-1);
    expect(compareVersions('0.4.0', '0.4.0')).toBe(0);
    expect(compareVersions('1.0', '0.9.9')).toBe(1);
  });
});
