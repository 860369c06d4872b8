import { component, Lifecycle } from '../../src/lifecycle';
import { silentLogger } from '../support/silent-logger';

describe('Lifecycle', () => {
  function recorder(): {
    events: string[];
    part: (name: string, required?: boolean) => ReturnType<typeof component>;
  } {
    const events: string[] = [];
    return {
      events,
      part: (name, required = true) =>
        component(name, {
          required,
          start: () => void events.push(`start ${name}`),
          stop: () => void events.push(`stop ${name}`),
        }),
    };
  }

  it('starts in order and stops the started ones in reverse', async () => {
    const { events, part } = recorder();
    const l = new Lifecycle(silentLogger);
    l.add(part('a'), part('b'), part('c'));
    await l.start();
    await l.stop();
    expect(events).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('records an optional failure and goes on; a required failure rejects with its own error', async () => {
    const { events, part } = recorder();
    const l = new Lifecycle(silentLogger);
    const boom = new Error('boom');
    l.add(
      part('a'),
      component('plugin', { required: false, start: () => Promise.reject(boom) }),
      part('b'),
    );
    await l.start();
    expect(l.failed).toEqual([{ name: 'plugin', error: boom }]);
    expect(events).toEqual(['start a', 'start b']);

    const r = new Lifecycle(silentLogger);
    r.add(part('x'), component('core', { start: () => Promise.reject(boom) }), part('y'));
    await expect(r.start()).rejects.toBe(boom);
    await r.stop();
    expect(events.slice(2)).toEqual(['start x', 'stop x']);
  });

  it('keeps stopping when one stop throws, and starts nothing more once aborted', async () => {
    const { events, part } = recorder();
    const l = new Lifecycle(silentLogger);
    const abort = new AbortController();
    l.add(
      part('a'),
      component('bad', {
        start: () => abort.abort(),
        stop: () => {
          throw new Error('stuck');
        },
      }),
      part('never'),
    );
    await l.start(abort.signal);
    await l.stop();
    expect(events).toEqual(['start a', 'stop a']);
  });

  it('refuses malformed and duplicate names', () => {
    const l = new Lifecycle(silentLogger);
    expect(() => l.add(component('Bad Name', {}))).toThrow('invalid component name');
    l.add(component('a', {}));
    expect(() => l.add(component('a', {}))).toThrow('added twice');
  });
});
