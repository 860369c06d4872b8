import { systemClock } from '../../../../src/clock';
import { silentLogger } from '../../../support/silent-logger';
import {
  OutlineUnavailableError,
  type OutlineAccessKey,
  type OutlinePort,
  type OutlineServerInfo,
} from '../../../../src/plugins/outline/client';
import { createOutlinePlugin, outlineFeature } from '../../../../src/plugins/outline/plugin';
import { Pipeline } from '../../../support/pipeline';

const USER = 1002;

/** An Outline stand-in in memory; `down` makes every call fail as the client would. */
class FakeOutline implements OutlinePort {
  down: string | undefined;
  calls: string[] = [];
  private check(what: string): void {
    this.calls.push(what);
    if (this.down !== undefined) throw new OutlineUnavailableError(this.down);
  }
  server(): Promise<OutlineServerInfo> {
    this.check('server');
    return Promise.resolve({ name: 'vpn', metricsEnabled: true });
  }
  accessKeys(): Promise<readonly OutlineAccessKey[]> {
    this.check('keys');
    return Promise.resolve([{ id: '0', name: 'Alice' }]);
  }
  transfer(): Promise<ReadonlyMap<string, number>> {
    this.check('transfer');
    return Promise.resolve(new Map([['0', 1024]]));
  }
}

describe('outline feature', () => {
  let outline: FakeOutline;
  let p: Pipeline;
  beforeEach(() => {
    outline = new FakeOutline();
    p = new Pipeline({ userIds: [USER] }, [outlineFeature({ outline, log: silentLogger })]);
  });

  it('routes the exact labels (emoji optional) and nothing else', async () => {
    await p.text(USER, '🪐 Outline VPN');
    await p.text(USER, 'Outline info');
    await p.text(USER, '📚 keys');
    await p.text(USER, '🚅 Traffic');
    await p.text(USER, 'show me the keys');
    await p.text(USER, 'Traffic please');
    expect(outline.calls).toEqual(['server', 'keys', 'keys', 'transfer']);
    const texts = p.sender.textsTo(USER);
    expect(texts[0]).toContain('Outline VPN');
    expect(texts[1]).toContain('Name: vpn');
    expect(texts[2]).toContain('• Alice');
    expect(texts[3]).toContain('Alice: 1.00 KiB');
  });

  it('says why the server is not reachable', async () => {
    outline.down = 'connection refused';
    await p.text(USER, '🚅 Traffic');
    expect(p.sender.textsTo(USER)).toEqual(['⚠️ Outline server not reachable: connection refused']);
  });
});

describe('createOutlinePlugin', () => {
  const cert = 'ab'.repeat(32);
  it('stays off for empty or placeholder settings, never repeating the URL', () => {
    const cases = [
      { apiUrl: '', cert },
      { apiUrl: 'https://127.0.0.1:9/Secr3t', cert: '' },
      { apiUrl: 'YOUR_OUTLINE_API_URL', cert },
      { apiUrl: 'https://127.0.0.1:9/Secr3t', cert: 'YOUR_CERT' },
    ];
    for (const settings of cases) {
      const built = createOutlinePlugin(settings, silentLogger, systemClock);
      expect('off' in built && built.off).toEqual(expect.any(String));
      expect(JSON.stringify(built)).not.toContain('Secr3t');
    }
    expect(
      'feature' in
        createOutlinePlugin({ apiUrl: 'https://127.0.0.1:9/x', cert }, silentLogger, systemClock),
    ).toBe(true);
  });
});
