import type { Feature } from '../../../src/features/feature';
import { normaliseLabel, parseCommand } from '../../../src/telegram/router';
import { defineAction, field } from '../../../src/telegram/actions';
import { html } from '../../../src/views/html';
import { Pipeline } from '../../support/pipeline';

const ALICE = 11;
const BOB = 12;

const GO = defineAction('probe.go', { word: field.text(/^[a-z]{1,8}$/) });

/** A feature that records which route ran. */
function probe(log: string[]): Feature {
  return {
    name: 'probe',
    install(router) {
      router.command('cpu', async (_req, args) => void log.push(`cmd:${args.join(',')}`), 'CPU');
      router.button('⚙️ CPU', async () => void log.push('button:cpu'));
      router.button('⚙️ CPU usage', async () => void log.push('button:cpu-usage'));
      router.text(/^\/?\d{6}$/, async (_req, [code]) => void log.push(`code:${code}`));
      router.command('open', async (req) => {
        await req.reply({
          html: html`menu`,
          keyboard: { kind: 'inline', rows: [[GO.button('Go', { word: 'x' })]] },
        });
      });
      router.on(GO, async (req, { word }) => {
        log.push(`action:${word}`);
        await req.toast('done');
      });
    },
  };
}

describe('router', () => {
  it('matches buttons exactly, so "CPU usage" never opens "CPU"', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [probe(log)]);
    await p.text(ALICE, '⚙️ CPU usage');
    await p.text(ALICE, 'cpu');
    await p.text(ALICE, 'show me the CPU please');
    expect(log).toEqual(['button:cpu-usage', 'button:cpu']);
    expect(p.sender.textsTo(ALICE)).toEqual(['unknown']);
  });

  it('routes commands with arguments and our @mention, ignores other bots', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [probe(log)]);
    await p.text(ALICE, '/cpu a b');
    await p.text(ALICE, '/CPU@tmbot_test_bot');
    await p.text(ALICE, '/cpu@other_bot');
    expect(log).toEqual(['cmd:a,b', 'cmd:']);
  });

  it('routes anchored text patterns', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [probe(log)]);
    await p.text(ALICE, '123456');
    await p.text(ALICE, '/654321');
    await p.text(ALICE, 'code 123456');
    expect(log).toEqual(['code:123456', 'code:/654321']);
  });

  it('binds callback tokens to their user and refuses forged ones', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE, BOB] }, [probe(log)]);
    await p.text(ALICE, '/open');
    const markup = p.sender.sent[0]?.view.keyboard;
    expect(markup?.kind).toBe('inline');
    const token = p.callbacks.issue(ALICE, 'probe.go', ['x']);
    expect(token).toMatch(/^[A-Za-z0-9_-]{12}$/);

    const bobPress = await p.press(BOB, token);
    expect(p.sender.answers.find((a) => a.id === bobPress)).toEqual({
      id: bobPress,
      text: 'This button belongs to another user.',
      alert: true,
    });
    const forged = await p.press(ALICE, '__get_logs__:open:nginx:11');
    expect(p.sender.answers.find((a) => a.id === forged)?.text).toMatch(/expired/);
    const ok = await p.press(ALICE, token);
    expect(p.sender.answers.find((a) => a.id === ok)?.text).toBe('done');
    expect(log).toEqual(['action:x']);
  });

  it('expires tokens after their TTL', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [probe(log)]);
    const token = p.callbacks.issue(ALICE, 'probe.go', ['x']);
    p.clock.advance(49 * 3600_000);
    const id = await p.press(ALICE, token);
    expect(p.sender.answers.find((a) => a.id === id)?.text).toMatch(/expired/);
    expect(log).toEqual([]);
  });

  it('rejects a second registration of the same button or action', () => {
    const dup: Feature = {
      name: 'dup',
      install(router) {
        router.button('🚀 Server', async () => undefined);
        router.button('server', async () => undefined);
      },
    };
    expect(() => new Pipeline({ userIds: [ALICE] }, [dup])).toThrow(/registered twice/);
  });

  it('drops duplicate updates', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [probe(log)]);
    const u = await p.text(ALICE, '/cpu');
    await p.raw(u);
    expect(log).toEqual(['cmd:']);
  });

  it('rate limits a user to 8 requests per 10 s and says so once', async () => {
    const log: string[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [probe(log)]);
    for (let i = 0; i < 12; i++) await p.text(ALICE, '/cpu');
    expect(log).toHaveLength(8);
    expect(p.sender.textsTo(ALICE).filter((t) => /too quickly/.test(t))).toHaveLength(1);
    p.clock.advance(10_001);
    await p.text(ALICE, '/cpu');
    expect(log).toHaveLength(9);
  });
});

describe('normaliseLabel / parseCommand', () => {
  it('drops leading emoji and case but keeps the words', () => {
    expect(normaliseLabel('🚀 Server')).toBe('server');
    expect(normaliseLabel('  ⬅️  Back   to main menu ')).toBe('back to main menu');
    expect(normaliseLabel('my server')).toBe('my server');
  });
  it('parses commands', () => {
    expect(parseCommand('/start', undefined)).toEqual({ name: 'start', args: [] });
    expect(parseCommand('/logs@bot 100 since', 'bot')).toEqual({
      name: 'logs',
      args: ['100', 'since'],
    });
    expect(parseCommand('/x@other', 'bot')).toBeUndefined();
    expect(parseCommand('hello', 'bot')).toBeUndefined();
  });
});
