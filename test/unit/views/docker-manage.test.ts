import {
  actionResultView,
  actionsFor,
  confirmView,
  manageView,
} from '../../../src/views/docker-manage';
import { DOCKER } from '../../../src/views/docker-actions';
import { dockerErrorView, dockerOverviewView } from '../../../src/views/docker-menu';
import { visibleText } from '../../../src/views/html';
import type { ActionButton, View } from '../../../src/views/view';
import { details } from './docker-fixtures';

const text = (v: View): string => visibleText(v.html.value);
const inline = (v: View): ActionButton[] =>
  v.keyboard?.kind === 'inline' ? (v.keyboard.rows.flat() as ActionButton[]) : [];
const ctx = { host: 0, hostLabel: undefined };

describe('manage', () => {
  it('offers what fits the state; remove only once stopped', () => {
    expect(actionsFor('running')).toEqual(['stop', 'restart', 'pause', 'kill']);
    expect(actionsFor('paused')).toEqual(['unpause', 'stop', 'kill']);
    expect(actionsFor('exited')).toEqual(['start', 'remove']);
    expect(actionsFor('created')).toEqual(['start', 'remove']);
    expect(actionsFor('removing')).toEqual([]);
  });

  it('routes destructive actions through "Are you sure?" and the others straight to the action', () => {
    const c = details('web');
    const v = manageView({ ...ctx, container: c, page: 1 });
    expect(inline(v).map((b) => [b.text, b.action, b.args?.[3]])).toEqual([
      ['⛔ Stop', 'docker.ask', 'stop'],
      ['♻️ Restart', 'docker.ask', 'restart'],
      ['⏸ Pause', 'docker.do', 'pause'],
      ['💀 Kill', 'docker.ask', 'kill'],
      ['⬅️ Back to web', 'docker.ctr', undefined],
      ['📦 All containers', 'docker.ctrs', undefined],
    ]);
    const ask = confirmView({
      ...ctx,
      container: details('db', { state: 'exited' }),
      page: 1,
      action: 'remove',
    });
    expect(text(ask)).toMatch(
      /Are you sure\?\nremove db \(now exited\)\nThe container and its anonymous volumes are deleted/,
    );
    expect(inline(ask).map((b) => [b.text, b.action])).toEqual([
      ['✅ Yes, remove', 'docker.do'],
      ['✖️ Cancel', 'docker.mng'],
    ]);
  });

  it('reports the state read back, or that the container is gone', () => {
    const after = details('web', { state: 'exited', exitCode: 137 });
    expect(
      text(
        actionResultView({
          ...ctx,
          name: 'web',
          id: after.id,
          page: 0,
          action: 'kill',
          after,
          tookMs: 1234,
        }),
      ),
    ).toBe(
      '✅ kill web: done in 1.2 s\nState read back from the engine: 🔴 exited (exit code 137)',
    );
    const gone = actionResultView({
      ...ctx,
      name: 'web',
      id: after.id,
      page: 0,
      action: 'remove',
      after: undefined,
      tookMs: 10,
    });
    expect(text(gone)).toContain('gone (the engine no longer has this container)');
    expect(inline(gone).map((b) => b.text)).toEqual(['📦 All containers']);
  });
});

describe('overview and errors', () => {
  const hosts = [
    {
      index: 0,
      label: 'unix:///var/run/docker.sock',
      summary: { running: 3, total: 5, images: 1 },
    },
    {
      index: 1,
      label: 'ssh://ops@web2',
      summary: undefined,
      error: 'Docker is not reachable at ssh://ops@web2: connection refused',
    },
  ];
  it('one host: counts and the Containers / Images / Stacks keyboard', () => {
    const v = dockerOverviewView({ hosts: hosts.slice(0, 1), current: 0, keyboard: 'reply' });
    expect(text(v)).toBe(
      '🐳 Docker\n\n🖥 unix:///var/run/docker.sock\n3 running / 5 containers · 1 image',
    );
    expect(v.keyboard).toEqual({
      kind: 'reply',
      rows: [['📦 Containers', '🖼 Images', '🧱 Stacks'], ['⬅️ Back to main menu']],
    });
  });
  it('several hosts: each with its state, the current one marked, a picker', () => {
    const reply = dockerOverviewView({ hosts, current: 1, keyboard: 'reply' });
    expect(text(reply)).toContain(
      '▫️ unix:///var/run/docker.sock\n   3 running / 5 containers · 1 image',
    );
    expect(text(reply)).toContain(
      '✅ ssh://ops@web2\n   ⚠️ Docker is not reachable at ssh://ops@web2: connection refused',
    );
    expect(reply.keyboard).toEqual({
      kind: 'reply',
      rows: [
        ['📦 Containers', '🖼 Images', '🧱 Stacks'],
        ['🖥 Docker hosts'],
        ['⬅️ Back to main menu'],
      ],
    });
    const picker = dockerOverviewView({ hosts, current: 1, keyboard: 'inline' });
    expect(inline(picker).map((b) => [b.text, b.action, b.args])).toEqual([
      ['🖥 unix:///var/run/docker.sock', 'docker.menu', ['0']],
      ['✅ ssh://ops@web2', 'docker.menu', ['1']],
      ['📦 Containers', 'docker.ctrs', ['1', '0']],
      ['🖼 Images', 'docker.imgsf', ['1', '0']],
      ['🧱 Stacks', 'docker.stacks', ['1', '0']],
    ]);
  });
  it('an error screen offers a retry only when asked to', () => {
    expect(
      inline(dockerErrorView('x', DOCKER.containers.call({ host: 0, page: 0 }))).map((b) => b.text),
    ).toEqual(['🔄 Try again']);
    expect(dockerErrorView('x').keyboard).toBeUndefined();
  });
});
