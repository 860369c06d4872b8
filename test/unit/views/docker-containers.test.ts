import { visibleText } from '../../../src/views/html';
import {
  CONTAINERS_PER_PAGE,
  containerDetailsView,
  containerListView,
  networksView,
  runtimeView,
  volumesView,
} from '../../../src/views/docker-containers';
import { TELEGRAM_LIMITS, type ActionButton, type View } from '../../../src/views/view';
import { details, NOW, summary } from './docker-fixtures';

const text = (v: View): string => visibleText(v.html.value);
const inline = (v: View): ActionButton[] =>
  v.keyboard?.kind === 'inline' ? (v.keyboard.rows.flat() as ActionButton[]) : [];
const ctx = { host: 0, hostLabel: undefined };

/** 60 characters, none of them ASCII, some outside the BMP. */
const UNICODE_60 = 'контейнер-😀-'.repeat(5).slice(0, 60);
const HOSTILE = '<b>bold</b>&amp;"x"</code><a href="tg://x">';

describe('container list', () => {
  const names = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
  const list = names
    .reverse()
    .map((n, i) => summary(n, { state: i % 5 === 0 ? 'exited' : 'running' }));

  it('shows 8 per page in name order, with the running count and page buttons that carry no data', () => {
    const v = containerListView({ ...ctx, containers: list, page: 1, now: NOW });
    expect(text(v)).toMatch(/^📦 Containers · 16\/20 running · Page 2\/3/);
    const own = inline(v).filter((b) => b.action === 'docker.ctr');
    expect(own.map((b) => b.text.slice(3))).toEqual([
      'c08',
      'c09',
      'c10',
      'c11',
      'c12',
      'c13',
      'c14',
      'c15',
    ]);
    expect(own).toHaveLength(CONTAINERS_PER_PAGE);
    expect(own[0]?.args).toEqual(['0', summary('c08').id, '1']);
    expect(
      inline(v)
        .filter((b) => b.action === 'docker.ctrs')
        .map((b) => [b.text, b.args?.[1]]),
    ).toEqual([
      ['⬅️ Prev', '0'],
      ['Next ➡️', '2'],
      ['🔄 Refresh', '1'],
    ]);
  });

  it('clamps a page that no longer exists and says so when there are no containers', () => {
    expect(text(containerListView({ ...ctx, containers: list, page: 99, now: NOW }))).toContain(
      'Page 3/3',
    );
    expect(text(containerListView({ ...ctx, containers: [], page: 0, now: NOW }))).toContain(
      'There are no containers on this host.',
    );
  });

  it('renders hostile and unicode names literally, within limits, and names the host when there are several', () => {
    const hostile = [
      summary(UNICODE_60, { health: 'healthy' }),
      summary(HOSTILE.repeat(200), { image: '<i>img</i>'.repeat(500), status: 'x'.repeat(10_000) }),
    ];
    const v = containerListView({
      host: 1,
      hostLabel: 'ssh://ops@web1',
      containers: hostile,
      page: 0,
      now: NOW,
    });
    const t = text(v);
    expect(t).toContain(`🟢 ${UNICODE_60} · 💚 healthy`);
    expect(t).toContain('<b>bold</b>&amp;"x"</code>');
    expect(v.html.value).not.toContain('<b>bold');
    expect(t.startsWith('🖥 Host: ssh://ops@web1')).toBe(true);
    expect(t.length).toBeLessThan(TELEGRAM_LIMITS.messageText);
    for (const b of inline(v))
      expect([...b.text].length).toBeLessThanOrEqual(TELEGRAM_LIMITS.buttonText);
  });
});

describe('container details', () => {
  it('shows state, live usage, limits and masked environment; admins get the admin buttons', () => {
    const c = details('web', {
      health: 'healthy',
      config: {
        ...details('web').config,
        env: [
          { key: 'DB_PASSWORD', value: 'hunter2' },
          { key: 'DATABASE_URL', value: 'postgres://u:pw@db/x' },
          { key: 'API_URL', value: 'https://user:secretpw@api.example.com/v1' },
          { key: 'GITHUB_TOKEN', value: 'ghp_x' },
          { key: 'MODE', value: '<b>prod</b>' },
        ],
        labels: [{ key: 'org.opencontainers.image.authors', value: 'Ann' }],
      },
      limits: {
        ...details('web').limits,
        memory: 256 * 1024 * 1024,
        nanoCpus: 1.5e9,
        restartPolicy: 'unless-stopped',
      },
    });
    const stats = {
      memoryUsed: 64 * 1024 * 1024,
      memoryLimit: 256 * 1024 * 1024,
      cpuPercent: 12.345,
      netRx: 2048,
      netTx: 1,
      rxErrors: 0,
      txErrors: 0,
      throttledPeriods: 0,
      pids: 3,
    };
    const v = containerDetailsView({
      ...ctx,
      container: c,
      stats,
      page: 2,
      isAdmin: true,
      now: NOW,
    });
    const t = text(v);
    expect(t).toContain('🟢 web · running · 💚 healthy');
    expect(t).toContain('(up 30 min)');
    expect(t).toContain('Memory: 64.0 MiB / 256.0 MiB (25.0 %) · headroom 192.0 MiB');
    expect(t).toContain('CPU: 12.3 %');
    expect(t).toContain('CPUs: 1.50');
    expect(t).toContain('Restart policy: unless-stopped');
    expect(t).toContain('DB_PASSWORD=<hidden>');
    expect(t).toContain('DATABASE_URL=<hidden>');
    expect(t).toContain('API_URL=https://user:<hidden>@api.example.com/v1');
    expect(t).toContain('GITHUB_TOKEN=<hidden>');
    expect(t).toContain('MODE=<b>prod</b>');
    expect(t).toContain('org.opencontainers.image.authors=Ann');
    expect(t).not.toMatch(/hunter2|pw@db|secretpw|ghp_x/);
    expect(inline(v).map((b) => b.text)).toEqual([
      '🧳 Volumes',
      '🌐 Networks',
      '🩺 Runtime',
      '📜 Logs',
      '🎯 Manage',
      '🔄 Refresh',
      '⬅️ All containers',
    ]);
    expect(inline(v).find((b) => b.text === '📜 Logs')?.args).toEqual([
      '0',
      c.id,
      '2',
      'tail100',
      '',
      '0',
    ]);
  });

  it('gives plain users Refresh and Back only, and explains missing live figures', () => {
    const v = containerDetailsView({
      ...ctx,
      container: details('db', { state: 'exited', exitCode: 3 }),
      stats: undefined,
      statsNote: 'not running (exited)',
      page: 0,
      isAdmin: false,
      now: NOW,
    });
    expect(inline(v).map((b) => b.text)).toEqual(['🔄 Refresh', '⬅️ All containers']);
    expect(text(v)).toMatch(
      /🔴 db · exited[\s\S]*Exit code: 3[\s\S]*Live usage\nnot running \(exited\)/,
    );
  });

  it('stays within Telegram’s limit with hostile, huge values: it drops trailing sections and says so', () => {
    const big = 'v<&>'.repeat(2500);
    const c = details(HOSTILE, {
      error: big,
      config: {
        ...details('x').config,
        entrypoint: [big],
        cmd: [big, big],
        env: Array.from({ length: 200 }, (_, i) => ({
          key: `K${i}_${big.slice(0, 200)}`,
          value: big,
        })),
        labels: Array.from({ length: 200 }, (_, i) => ({ key: `l${i}`, value: big })),
      },
      network: {
        ...details('x').network,
        ports: Array.from({ length: 100 }, (_, i) => ({
          container: `${i}/tcp`,
          host: `0.0.0.0:${i}`,
        })),
      },
    });
    const v = containerDetailsView({
      ...ctx,
      container: c,
      stats: undefined,
      page: 0,
      isAdmin: true,
      now: NOW,
    });
    const t = text(v);
    expect(t.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    expect(t).toContain(HOSTILE);
    expect(t).toMatch(/more section\(s\) left out to fit Telegram's limit/);
  });
});

describe('volumes, networks and runtime', () => {
  const c = details('svc', {
    storage: {
      mounts: Array.from({ length: 25 }, (_, i) => ({
        type: 'bind',
        source: `/src/${i}`,
        destination: `/dst/${i}`,
        readWrite: i % 2 === 0,
        mode: '',
        propagation: 'rprivate',
      })),
      binds: ['/a:/b:ro'],
      volumesFrom: [],
      tmpfs: [{ key: '/run', value: 'size=64m' }],
    },
    network: {
      ...details('svc').network,
      mode: 'bridge',
      networks: [
        {
          name: 'front',
          ipv4: '10.0.0.2/24',
          gateway: '10.0.0.1',
          aliases: Array.from({ length: 12 }, (_, i) => `alias${i}`),
          networkId: 'f'.repeat(64),
        },
      ],
      dns: ['1.1.1.1'],
    },
    health: 'unhealthy',
    failingStreak: 4,
    lastHealthCheck: {
      at: NOW - 5000,
      exitCode: 1,
      output: `\n${'first line '.repeat(30)}\nsecond`,
    },
    security: {
      privileged: true,
      readonlyRootfs: true,
      oomKillDisable: false,
      init: false,
      securityOpt: ['no-new-privileges:true'],
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
    },
  });
  const d = { ...ctx, container: c, page: 3, now: NOW };

  it('volumes: mounts capped at 20 with "+N more", binds and tmpfs, and a way back', () => {
    const v = volumesView(d);
    expect(text(v)).toContain('+5 more');
    expect(text(v)).toContain('Binds: /a:/b:ro');
    expect(text(v)).toContain('Tmpfs: /run (size=64m)');
    expect(inline(v).map((b) => [b.action, b.args?.[2] ?? b.args?.[1]])).toEqual([
      ['docker.ctr', '3'],
      ['docker.ctrs', '3'],
    ]);
  });

  it('networks: attached networks with aliases capped at 8', () => {
    const t = text(networksView(d));
    expect(t).toContain('• front');
    expect(t).toContain('IPv4: 10.0.0.2/24 · gateway 10.0.0.1');
    expect(t).toContain('alias7 +4 more');
    expect(t).toContain('network ffffffffffff');
  });

  it('runtime: health with the first output line cut to 160, security flags', () => {
    const t = text(runtimeView(d));
    expect(t).toContain('Health: 💔 unhealthy · failing streak 4');
    expect(t).toMatch(/Output: first line (first line )+.*…/);
    expect(t).toContain('Privileged: ⚠️ yes · Read-only rootfs: yes');
    expect(t).toContain('No-new-privileges: yes');
    expect(t).toContain('CapAdd: NET_ADMIN');
  });
});
