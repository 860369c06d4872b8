import { parseArgs } from '../../../src/cli/args';
import { UsageError } from '../../../src/errors';

describe('parseArgs', () => {
  it('reads tmbot flags', () => {
    const o = parseArgs([
      '--config',
      'x.yaml',
      '--mode',
      'dev',
      '--log-level',
      'debug',
      '--log-format=json',
      '--webhook',
      '--plugins',
      'monitor,outline',
    ]);
    expect(o).toMatchObject({
      config: 'x.yaml',
      mode: 'dev',
      logLevel: 'debug',
      logFormat: 'json',
      webhook: true,
      plugins: ['monitor', 'outline'],
    });
  });

  it("accepts pyTMBot's spellings so old compose files keep working", () => {
    const o = parseArgs([
      '--socket_host',
      '0.0.0.0',
      '--log-level',
      'WARNING',
      '--webhook',
      'true',
      '--plugins',
      'monitor',
      'outline',
      '--colorize_logs',
      'false',
    ]);
    expect(o).toMatchObject({
      socketHost: '0.0.0.0',
      logLevel: 'warn',
      webhook: true,
      plugins: ['monitor', 'outline'],
      colorizeLogs: false,
    });
    expect(parseArgs(['--colorize_logs']).colorizeLogs).toBe(true);
    expect(parseArgs(['--health_check']).command).toEqual({ kind: 'health-check' });
    expect(parseArgs(['--webhook', 'False']).webhook).toBe(false);
    expect(parseArgs(['--debug'])).toMatchObject({ mode: 'dev', logLevel: 'debug' });
  });

  it('parses subcommands', () => {
    expect(parseArgs(['init']).command).toEqual({ kind: 'init' });
    expect(parseArgs(['totp', 'reset', '1001']).command).toEqual({
      kind: 'totp-reset',
      userId: 1001,
    });
    expect(() => parseArgs(['totp', 'reset', 'bob'])).toThrow(UsageError);
  });

  it('rejects unknown and malformed options with a hint', () => {
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option '--frobnicate'.*--help/);
    expect(() => parseArgs(['--mode', 'staging'])).toThrow(/dev or prod/);
    expect(() => parseArgs(['--config'])).toThrow(/needs a file path/);
    expect(() => parseArgs(['--plugins', '../evil'])).toThrow(/not a plugin name/);
    expect(() => parseArgs(['--socket-host', 'a b;rm'])).toThrow(/not a host/);
  });
});
