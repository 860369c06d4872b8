import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { APP_VERSION } from '../../src/version';

const MAIN = resolve(__dirname, '..', '..', 'dist', 'main.js');

function tmbot(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('command line', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tmbot-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints version and help', () => {
    expect(tmbot(['--version'], dir)).toEqual({ code: 0, out: `tmbot ${APP_VERSION}\n` });
    const help = tmbot(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--check-config/);
    expect(help.out).toMatch(
      /Exit codes: 0 clean stop, 1 fatal runtime error, 2 bad usage or config/,
    );
  });

  it('prints a fresh 52-character base32 salt each time', () => {
    const a = tmbot(['--salt'], dir).out.trim();
    const b = tmbot(['--salt'], dir).out.trim();
    expect(a).toMatch(/^[A-Z2-7]{52}$/);
    expect(a).not.toBe(b);
  });

  it('init writes a 0600 starter config with a fresh salt and refuses to overwrite it', () => {
    const first = tmbot(['init'], dir);
    expect(first.code).toBe(0);
    const path = join(dir, 'pytmbot.yaml');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    // The only thing left to fill in is the token: the file parses apart from that placeholder.
    expect(() => parseConfig({ text, origin: 'x', env: {}, mode: 'prod' })).toThrow(
      /prod_token: is still the placeholder/,
    );
    const withToken = parseConfig({
      text,
      origin: 'x',
      env: { TMBOT_BOT_TOKEN: '1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      mode: 'prod',
    });
    expect(withToken.config.access.authSalt).toMatch(/^[A-Z2-7]{52}$/);
    const second = tmbot(['init'], dir);
    expect(second.code).toBe(2);
    expect(second.out).toMatch(/already exists/);
  });

  it('exits 2 with a way forward when the config file is missing', () => {
    const r = tmbot([], dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/pytmbot\.yaml: config file not found\. Create one with `tmbot init`/);
    const viaEnv = tmbot([], dir, { PYTMBOT_CONFIG_PATH: join(dir, 'elsewhere.yaml') });
    expect(viaEnv.out).toMatch(/elsewhere\.yaml: config file not found/);
  });

  it('exits 2 on unknown options', () => {
    const r = tmbot(['--nope'], dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/unknown option '--nope'/);
  });
});
