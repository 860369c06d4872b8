import type { Feature } from '../../../src/features/feature';
import { buttonFor, defineAction, defineCodecAction, field } from '../../../src/telegram/actions';
import { DOCKER } from '../../../src/views/docker-actions';
import { SERVER_ACTION } from '../../../src/views/server';
import { html } from '../../../src/views/html';
import { MemoryStore } from '../../support/memory-store';
import { Pipeline } from '../../support/pipeline';

const ALICE = 21;

const OPEN = defineAction('test.open', {
  host: field.int(0, 9),
  id: field.text(/^[a-f0-9]{1,64}$/),
  mode: field.oneOf(['short', 'long'] as const),
});

interface Opened {
  host: number;
  id: string;
  mode: 'short' | 'long';
}

/** A feature that records the typed arguments its action ran with. */
function opener(ran: Opened[]): Feature {
  return {
    name: 'opener',
    install(router) {
      router.on(OPEN, async (req, args) => {
        ran.push({ ...args });
        await req.show({ html: html`opened ${args.id}` });
      });
    },
  };
}

describe('typed actions', () => {
  it('round-trip their arguments through the stored strings, in field order', () => {
    const call = OPEN.call({ host: 3, id: 'abc', mode: 'long' });
    expect(call).toEqual({ action: 'test.open', args: ['3', 'abc', 'long'] });
    expect(OPEN.decode(call.args)).toEqual({ host: 3, id: 'abc', mode: 'long' });
    expect(OPEN.button('Open', { host: 0, id: 'f', mode: 'short' })).toEqual({
      text: 'Open',
      action: 'test.open',
      args: ['0', 'f', 'short'],
    });
    expect(defineAction('test.plain').button('Go')).toEqual({
      text: 'Go',
      action: 'test.plain',
      args: [],
    });
    expect(buttonFor('Again', call)).toEqual({ text: 'Again', ...call });
  });

  it('refuse arguments they did not make: wrong count, bad numbers, unknown words, bad shapes', () => {
    for (const raw of [
      [],
      ['3', 'abc'],
      ['3', 'abc', 'long', 'extra'],
      ['10', 'abc', 'long'],
      ['-1', 'abc', 'long'],
      ['03', 'abc', 'long'],
      ['1.5', 'abc', 'long'],
      ['1e1', 'abc', 'long'],
      ['', 'abc', 'long'],
      ['3', '../etc', 'long'],
      ['3', 'a'.repeat(65), 'long'],
      ['3', 'abc', 'LONG'],
      ['3', 'abc', 'toString'],
    ]) {
      expect(OPEN.decode(raw)).toBeUndefined();
    }
    expect(defineAction('test.plain').decode(['x'])).toBeUndefined();
  });

  it('a codec action keeps its own shape (server screens: [screen] or [top, from, sort])', () => {
    const top = { screen: 'top', top: { from: 'process', sort: 'mem' } } as const;
    expect(SERVER_ACTION.call(top).args).toEqual(['top', 'process', 'mem']);
    expect(SERVER_ACTION.decode(['top', 'process', 'mem'])).toEqual(top);
    expect(SERVER_ACTION.decode(['cpu'])).toEqual({ screen: 'cpu' });
    expect(SERVER_ACTION.decode(['cpu', 'cpu'])).toBeUndefined();
    expect(SERVER_ACTION.decode(['top', 'cpu', 'rss'])).toBeUndefined();
  });

  it('keep the Docker buttons in their stored order, so tokens issued before an upgrade still work', () => {
    const id = 'a'.repeat(64);
    expect(
      DOCKER.logs.call({ host: 1, id, page: 2, mode: 'hour', session: '', logPage: 3 }).args,
    ).toEqual(['1', id, '2', 'hour', '', '3']);
    expect(DOCKER.perform.decode(['0', id, '0', 'explode'])).toBeUndefined();
    expect(DOCKER.updates.decode(['0', 'all', '0'])).toEqual({ host: 0, scope: 'all', page: 0 });
  });

  it('refuse bad definitions at start-up', () => {
    expect(() => defineAction('NoDot')).toThrow(/invalid action name/);
    expect(() => defineAction('a..b')).toThrow(/invalid action name/);
    expect(() => field.text(/[a-z]+/)).toThrow(/anchored/);
  });
});

describe('typed actions through the router', () => {
  it('hand the handler typed arguments; forged ones get a clear refusal and run nothing', async () => {
    const ran: Opened[] = [];
    const p = new Pipeline({ userIds: [ALICE] }, [opener(ran)]);
    const good = OPEN.call({ host: 2, id: 'beef', mode: 'short' });
    await p.press(ALICE, p.callbacks.issue(ALICE, good.action, good.args));
    expect(ran).toEqual([{ host: 2, id: 'beef', mode: 'short' }]);

    p.clock.advance(2000);
    const forged = await p.press(
      ALICE,
      p.callbacks.issue(ALICE, 'test.open', ['2', '../x', 'short']),
    );
    expect(p.sender.answers.find((a) => a.id === forged)).toEqual({
      id: forged,
      text: 'This button is no longer supported. Open the screen again from the menu.',
      alert: true,
    });
    expect(ran).toHaveLength(1);
  });

  it('survive a restart through the token store, and stored arguments are checked again on load', async () => {
    const store = new MemoryStore();
    const ran: Opened[] = [];
    const first = new Pipeline({ userIds: [ALICE] }, [opener(ran)], store);
    const good = OPEN.call({ host: 1, id: 'cafe', mode: 'long' });
    const token = first.callbacks.issue(ALICE, good.action, good.args);
    const other = first.callbacks.issue(ALICE, good.action, ['1', 'cafe', 'short']);
    await first.callbacks.save();

    // Someone edits the state file: the second token now carries arguments OPEN never makes.
    const saved = JSON.parse(store.files.get('callbacks.json') ?? '{}') as {
      entries: [string, { args: string[] }][];
    };
    const tampered = saved.entries.find(([t]) => t === other);
    if (tampered === undefined) throw new Error('token not persisted');
    tampered[1].args = ['1', 'cafe', 'short;rm'];
    store.files.set('callbacks.json', JSON.stringify(saved));

    const second = new Pipeline({ userIds: [ALICE] }, [opener(ran)], store);
    await second.press(ALICE, token);
    expect(ran).toEqual([{ host: 1, id: 'cafe', mode: 'long' }]);
    second.clock.advance(2000);
    const refused = await second.press(ALICE, other);
    expect(second.sender.answers.find((a) => a.id === refused)?.alert).toBe(true);
    expect(ran).toHaveLength(1);
  });

  it('a handler registered for a codec action gets the decoded value', async () => {
    const seen: unknown[] = [];
    const ANY = defineCodecAction<number>('test.num', {
      encode: (n) => [String(n)],
      decode: ([raw]) => (raw === '7' ? 7 : undefined),
    });
    const p = new Pipeline({ userIds: [ALICE] }, [
      {
        name: 'num',
        install(router) {
          router.on(ANY, async (_req, n) => void seen.push(n));
        },
      },
    ]);
    await p.press(ALICE, p.callbacks.issue(ALICE, 'test.num', ANY.call(7).args));
    expect(seen).toEqual([7]);
  });
});
