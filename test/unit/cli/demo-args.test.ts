import { parseArgs } from '../../../src/cli/args';

describe('tmbot demo arguments', () => {
  it('takes --port, --plugins, --docker-host and --log-level', () => {
    const cli = parseArgs([
      'demo',
      '--port',
      '8080',
      '--plugins=monitor,outline',
      '--docker-host',
      'unix:///tmp/d.sock',
      '--log-level',
      'debug',
    ]);
    expect(cli.command).toEqual({
      kind: 'demo',
      port: 8080,
      plugins: ['monitor', 'outline'],
      dockerHost: 'unix:///tmp/d.sock',
      help: false,
    });
    expect(cli.logLevel).toBe('debug');
  });

  it('defaults to a free port, no plugins and the local Docker socket', () => {
    expect(parseArgs(['demo']).command).toEqual({
      kind: 'demo',
      port: 0,
      plugins: [],
      dockerHost: 'unix:///var/run/docker.sock',
      help: false,
    });
  });

  it.each([
    [['--webhook'], /polling; --webhook is for a real bot/],
    [['--config', 'x.yaml'], /throwaway config/],
    [['--token', 'x'], /never uses a real bot token/],
    [['123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'], /looks like a bot token/],
    [['--socket-host', '0.0.0.0'], /127\.0\.0\.1 only/],
    [['--port', '70000'], /0-65535/],
    [['--docker-host', 'ssh://x'], /unix:\/\/\/path/],
    [['--what'], /unknown option/],
  ])('refuses %j with a clear message', (args, message) => {
    expect(() => parseArgs(['demo', ...args])).toThrow(message);
  });
});
