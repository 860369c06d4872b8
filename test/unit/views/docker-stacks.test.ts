import { COMPOSE_LABELS, groupStacks } from '../../../src/adapters/docker/compose';
import {
  stackConfirmView,
  stackListView,
  stackProgressView,
  stackView,
  type StackService,
} from '../../../src/views/docker-stacks';
import { visibleText } from '../../../src/views/html';
import {
  isActionButton,
  TELEGRAM_LIMITS,
  type ActionButton,
  type View,
} from '../../../src/views/view';
import { summary } from './docker-fixtures';

const text = (v: View): string => visibleText(v.html.value);
const inline = (v: View): ActionButton[] =>
  v.keyboard?.kind === 'inline' ? v.keyboard.rows.flat().filter(isActionButton) : [];
const ctx = { host: 0, hostLabel: undefined };

const labelled = (name: string, project: string, service: string) =>
  summary(name, {
    labels: {
      [COMPOSE_LABELS.project]: project,
      [COMPOSE_LABELS.service]: service,
    },
  });

const service = (over: Partial<StackService> = {}): StackService => ({
  service: 'db',
  name: 'shop-db-1',
  state: 'running',
  health: 'healthy',
  image: 'postgres:16',
  restarts: 2,
  dependsOn: [],
  ...over,
});

describe('stack views', () => {
  it('lists stacks with running counts and the standalone count', () => {
    const v = stackListView({
      ...ctx,
      page: 0,
      groups: groupStacks([
        labelled('shop-db-1', 'shop', 'db'),
        summary('shop-web-1', {
          state: 'exited',
          labels: { [COMPOSE_LABELS.project]: 'shop' },
        }),
        summary('solo'),
      ]),
    });
    expect(text(v)).toBe(
      '🧱 Stacks · 1 compose project\n\n🟡 shop · 1/2 running\n\n📦 Standalone: 1 container',
    );
    expect(inline(v).map((b) => [b.text, b.action, b.args])).toEqual([
      ['🧱 shop', 'docker.stack', ['0', 'shop', '0']],
      ['🔄 Refresh', 'docker.stacks', ['0', '0']],
      ['📦 Containers', 'docker.ctrs', ['0', '0']],
    ]);
  });

  it('renders hostile project names literally, bounded, and without a button when unsafe', () => {
    const hostile = `<b>x</b> & ${'y'.repeat(5000)}`;
    const v = stackListView({
      ...ctx,
      page: 0,
      groups: groupStacks([labelled('evil-1', hostile, '<i>svc</i>')]),
    });
    expect(v.html.value).toContain('&lt;b&gt;x&lt;/b&gt; &amp;');
    expect(v.html.value).not.toContain('<b>x</b>');
    expect(text(v).length).toBeLessThan(400);
    expect(inline(v).map((b) => b.action)).toEqual(['docker.stacks', 'docker.ctrs']);
  });

  it('shows each service with state, health, image, restarts and dependencies; admins get actions', () => {
    const v = stackView({
      ...ctx,
      project: 'shop',
      page: 0,
      isAdmin: true,
      services: [
        service(),
        service({
          service: 'web',
          name: 'shop-web-1',
          state: 'exited',
          health: 'none',
          image: 'nginx',
          restarts: undefined,
          dependsOn: ['db'],
        }),
      ],
    });
    expect(text(v)).toBe(
      [
        '🧱 Stack shop · 2 services (start order)',
        '',
        '🟢 db · running · 💚 healthy\n   shop-db-1 · postgres:16\n   restarts: 2',
        '',
        '🔴 web · exited\n   shop-web-1 · nginx\n   restarts: ?\n   needs db',
      ].join('\n'),
    );
    expect(inline(v).map((b) => [b.text, b.action, b.args])).toEqual([
      ['🌟 Start stack', 'docker.stk_ask', ['0', 'shop', '0', 'start']],
      ['⛔ Stop stack', 'docker.stk_ask', ['0', 'shop', '0', 'stop']],
      ['♻️ Restart stack', 'docker.stk_ask', ['0', 'shop', '0', 'restart']],
      ['🔄 Refresh', 'docker.stack', ['0', 'shop', '0']],
      ['⬅️ Stacks', 'docker.stacks', ['0', '0']],
    ]);
    const plain = stackView({
      ...ctx,
      project: 'shop',
      page: 0,
      isAdmin: false,
      services: [service()],
    });
    expect(inline(plain).map((b) => b.action)).toEqual(['docker.stack', 'docker.stacks']);
  });

  it('fits a huge stack into one message', () => {
    const services = Array.from({ length: 400 }, (_, i) =>
      service({ service: `s${i}-${'x'.repeat(40)}`, name: 'n'.repeat(64), image: 'i'.repeat(60) }),
    );
    const v = stackView({ ...ctx, project: 'big', page: 0, isAdmin: true, services });
    expect(text(v).length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
  });

  it('confirms with the order the action takes', () => {
    const v = stackConfirmView({
      ...ctx,
      project: 'shop',
      op: 'stop',
      order: ['web', 'api', 'db'],
      page: 1,
    });
    expect(text(v)).toBe('❓ stop the whole stack shop?\n\nOrder: web → api → db');
    expect(inline(v).map((b) => [b.text, b.action, b.args])).toEqual([
      ['✅ Yes, stop', 'docker.stk_do', ['0', 'shop', '1', 'stop']],
      ['✖️ Cancel', 'docker.stack', ['0', 'shop', '1']],
    ]);
  });

  it('shows progress per service, then the outcome', () => {
    const running = stackProgressView({
      ...ctx,
      project: 'shop',
      op: 'restart',
      page: 0,
      steps: [
        { service: 'db', status: 'done', detail: 'running' },
        { service: 'web', status: 'working' },
        { service: 'api', status: 'waiting' },
      ],
    });
    expect(text(running)).toBe('⏳ restart of stack shop…\n\n✅ db · running\n⏳ web\n▫️ api');
    expect(running.keyboard).toBeUndefined();
    const done = stackProgressView({
      ...ctx,
      project: 'shop',
      op: 'restart',
      page: 0,
      tookMs: 2500,
      steps: [{ service: 'db', status: 'done', detail: 'running' }],
    });
    expect(text(done)).toBe('✅ Stack shop: restart done in 2.5 s\n\n✅ db · running');
    const failed = stackProgressView({
      ...ctx,
      project: 'shop',
      op: 'start',
      page: 0,
      tookMs: 100,
      steps: [{ service: 'db', status: 'failed', detail: 'The engine refused' }],
    });
    expect(text(failed)).toMatch(
      /^⚠️ start of stack shop stopped at a failure\n\n❌ db · The engine refused$/,
    );
    expect(inline(failed).map((b) => b.text)).toEqual(['🧱 Back to stack']);
  });
});
