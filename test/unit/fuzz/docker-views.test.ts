/**
 * The Docker screens with what a malicious or compromised container controls: labels,
 * environment, mounts, health-check output, image metadata and log lines, with markup, bidi marks,
 * ANSI sequences, emoji, lone surrogates and huge sizes; names and tags the engine validates at
 * their longest. Every screen renders HTML
 * Telegram accepts within its limits, container text never adds markup, secret-named variables
 * never show their value, and the bot token never reaches a log page.
 */
import fc from 'fast-check';
import type {
  ContainerDetails,
  ContainerLiveStats,
  ContainerState,
  ContainerSummary,
  HealthStatus,
  ImageDetails,
  ImageLayer,
  ImageSummary,
  KeyValue,
} from '../../../src/adapters/docker/port';
import type { ImageUpdate } from '../../../src/adapters/docker/update-checker';
import { LOG_MODES } from '../../../src/views/docker-actions';
import {
  containerDetailsView,
  containerListView,
  networksView,
  runtimeView,
  volumesView,
} from '../../../src/views/docker-containers';
import {
  imageDetailsView,
  imageHistoryView,
  imageListView,
  imageUsedByView,
  updatesView,
} from '../../../src/views/docker-images';
import { logsView, paginateNewestFirst, sanitiseLog } from '../../../src/views/docker-logs';
import { actionResultView, confirmView, manageView } from '../../../src/views/docker-manage';
import { dockerErrorView, dockerOverviewView } from '../../../src/views/docker-menu';
import { visibleText } from '../../../src/views/html';
import type { View } from '../../../src/views/view';
import { CONTAINER_ACTIONS } from '../../../src/adapters/docker/port';
import { fuzzParams, hostileText } from '../../support/fuzz';
import { bland, checkView, skeleton } from '../../support/telegram-rules';

/** A value no screen may show: planted in secret-named variables and in log lines. */
const SECRET = 'Zq9SECRETvalue7Kx';
const BOT_TOKEN = '5550001234:AAsecretSECRETsecretSECRETsecret_-xy';

const num = fc.oneof(
  { arbitrary: fc.nat({ max: 2 ** 40 }), weight: 4 },
  { arbitrary: fc.double({ min: -1e6, max: 1e6 }), weight: 1 },
  { arbitrary: fc.constantFrom(0, -1, NaN, Infinity, 2 ** 53), weight: 1 },
);
/** Times as the engine reports them (ms; 0 for "never"). */
const time = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 253_402_300_799_000 }),
  fc.constant(NaN),
);
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(a, { nil: undefined });
const text = hostileText;
const hexId = fc.stringMatching(/^[0-9a-f]{64}$/);
/** Names the engine validates (containers, networks) and image references: plain, but up to their full length. */
const containerName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/);
const imageRef = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,120}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/),
  fc.constantFrom(
    'nginx:latest',
    'ghcr.io/acme/app:1.2.3',
    '127.0.0.1:5000/local/app:1',
    '<none>:<none>',
  ),
);
const digestRef = fc.tuple(imageRef, hexId).map(([r, h]) => `${r.split(':')[0] ?? r}@sha256:${h}`);
const list = <T>(a: fc.Arbitrary<T>, max = 12): fc.Arbitrary<T[]> =>
  fc.oneof(
    fc.array(a, { maxLength: max }),
    a.map((x) => Array<T>(max * 4).fill(x)),
  );
const state = fc.constantFrom<ContainerState>(
  'running',
  'paused',
  'restarting',
  'exited',
  'created',
  'dead',
  'removing',
  'unknown',
);
const health = fc.constantFrom<HealthStatus>('healthy', 'unhealthy', 'starting', 'none');

/** Variables and labels; secret-named ones carry SECRET, which must never be shown. */
const keyValue: fc.Arbitrary<KeyValue> = fc.oneof(
  fc.record({ key: text, value: text }),
  fc.record({
    key: fc.constantFrom(
      'DB_PASSWORD',
      'API_KEY',
      'GITHUB_TOKEN',
      'secret',
      'AUTH',
      'DATABASE_URL',
      'private_key',
    ),
    value: fc.constantFrom(SECRET, `${SECRET}\n${SECRET}`, `postgres://u:${SECRET}@db/x`),
  }),
  fc.record({
    key: fc.constantFrom('URL', 'UPSTREAM'),
    value: fc.constant(`https://user:${SECRET}@example.com/x`),
  }),
);

const summary: fc.Arbitrary<ContainerSummary> = fc.record({
  id: hexId,
  name: containerName,
  image: fc.oneof(imageRef, hexId),
  imageId: fc.oneof(fc.constant('sha256:aa'), text),
  state,
  health,
  status: text,
  createdAt: time,
});

const details: fc.Arbitrary<ContainerDetails> = fc.record({
  id: hexId,
  name: containerName,
  image: fc.oneof(imageRef, hexId),
  imageId: text,
  state,
  health,
  failingStreak: num,
  lastHealthCheck: maybe(fc.record({ at: time, exitCode: num, output: text })),
  createdAt: time,
  startedAt: maybe(time),
  finishedAt: maybe(time),
  restartCount: num,
  pid: num,
  exitCode: num,
  oomKilled: fc.boolean(),
  dead: fc.boolean(),
  error: text,
  limits: fc.record({
    memory: num,
    memoryReservation: num,
    cpuQuota: num,
    cpuPeriod: num,
    nanoCpus: num,
    cpusetCpus: text,
    pidsLimit: num,
    restartPolicy: text,
    maxRetries: num,
  }),
  config: fc.record({
    user: text,
    workdir: text,
    entrypoint: list(text),
    cmd: list(text),
    env: list(keyValue, 40),
    labels: list(keyValue, 40),
    tty: fc.boolean(),
    hostname: text,
    domainname: text,
    stopSignal: text,
    stopTimeout: maybe(num),
    exposedPorts: list(text),
    imageVolumes: list(text),
  }),
  network: fc.record({
    mode: text,
    ports: list(fc.record({ container: text, host: maybe(text) })),
    networks: list(
      fc.record({
        name: containerName,
        ipv4: maybe(text),
        gateway: maybe(text),
        ipv6: maybe(text),
        ipv6Gateway: maybe(text),
        mac: maybe(text),
        networkId: maybe(text),
        endpointId: maybe(text),
        aliases: list(text),
      }),
    ),
    sandboxId: text,
    publishAll: fc.boolean(),
    dns: list(text),
    dnsSearch: list(text),
    dnsOptions: list(text),
    extraHosts: list(text),
    links: list(text),
  }),
  storage: fc.record({
    mounts: list(
      fc.record({
        type: text,
        name: maybe(text),
        source: text,
        destination: text,
        readWrite: fc.boolean(),
        mode: text,
        propagation: text,
        driver: maybe(text),
      }),
    ),
    binds: list(text),
    volumesFrom: list(text),
    tmpfs: list(fc.record({ key: text, value: text })),
  }),
  security: fc.record({
    privileged: fc.boolean(),
    readonlyRootfs: fc.boolean(),
    oomKillDisable: fc.boolean(),
    init: fc.boolean(),
    securityOpt: list(text),
    capAdd: list(text),
    capDrop: list(text),
  }),
});

const stats: fc.Arbitrary<ContainerLiveStats> = fc.record(
  {
    memoryUsed: num,
    memoryLimit: num,
    cpuPercent: num,
    netRx: num,
    netTx: num,
    rxErrors: num,
    txErrors: num,
    throttledPeriods: num,
    pids: num,
  },
  {
    requiredKeys: [
      'memoryUsed',
      'memoryLimit',
      'netRx',
      'netTx',
      'rxErrors',
      'txErrors',
      'throttledPeriods',
      'pids',
    ],
  },
);

const imageSummary: fc.Arbitrary<ImageSummary> = fc.record(
  {
    id: hexId.map((h) => `sha256:${h}`),
    tags: list(imageRef),
    digests: list(digestRef),
    size: num,
    sharedSize: num,
    createdAt: time,
  },
  { requiredKeys: ['id', 'tags', 'digests', 'size', 'createdAt'] },
);
const imageDetails: fc.Arbitrary<ImageDetails> = fc
  .tuple(
    imageSummary,
    fc.record({
      parent: text,
      rootfsType: text,
      os: text,
      architecture: text,
      variant: text,
      layers: num,
      author: text,
      comment: text,
      dockerVersion: text,
      config: fc.record({
        user: text,
        workdir: text,
        stopSignal: text,
        entrypoint: list(text),
        cmd: list(text),
        shell: list(text),
        env: list(keyValue, 40),
        labels: list(keyValue, 40),
        exposedPorts: list(text),
        volumes: list(text),
        healthcheck: maybe(
          fc.record({
            test: list(text),
            intervalNs: num,
            timeoutNs: num,
            startPeriodNs: num,
            retries: num,
          }),
        ),
      }),
    }),
  )
  .map(([s, d]) => ({ ...s, ...d }));
const layer: fc.Arbitrary<ImageLayer> = fc.record({
  id: text,
  createdAt: time,
  size: num,
  createdBy: text,
  comment: text,
});
const update: fc.Arbitrary<ImageUpdate> = fc.record({
  tag: imageRef,
  imageId: text,
  status: fc.oneof(
    fc.record({ kind: fc.constant('update' as const), localDigest: text, remoteDigest: text }),
    fc.record({ kind: fc.constant('up-to-date' as const) }),
    fc.record({ kind: fc.constant('unknown' as const), reason: text }),
    fc.record({ kind: fc.constant('rate-limited' as const), retryAfterSec: num }),
    fc.record({ kind: fc.constant('error' as const), reason: text }),
  ),
  newerTags: list(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)),
  checkedAt: time,
});

const host = fc.record({ host: fc.nat({ max: 5 }), hostLabel: maybe(text) });
const page = fc.oneof(fc.nat({ max: 50 }), fc.integer({ min: -5, max: -1 }), fc.constant(NaN));

interface Screen {
  name: string;
  input: unknown;
  render: (input: never) => View;
}
const screenOf = <T>(name: string, input: T, render: (input: T) => View): Screen => ({
  name,
  input,
  render,
});

const screens: fc.Arbitrary<Screen> = fc.oneof(
  fc
    .record({ h: host, containers: list(summary, 30), page, now: time })
    .map((d) =>
      screenOf('containerListView', d, (x) =>
        containerListView({ ...x.h, containers: x.containers, page: x.page, now: x.now }),
      ),
    ),
  fc
    .record({
      h: host,
      container: details,
      stats: maybe(stats),
      statsNote: maybe(text),
      page,
      isAdmin: fc.boolean(),
      now: time,
    })
    .map((d) =>
      screenOf('containerDetailsView', d, (x) =>
        containerDetailsView({
          ...x.h,
          container: x.container,
          stats: x.stats,
          ...(x.statsNote !== undefined ? { statsNote: x.statsNote } : {}),
          page: x.page,
          isAdmin: x.isAdmin,
          now: x.now,
        }),
      ),
    ),
  fc.record({ h: host, container: details, page, now: time }).chain((d) =>
    fc.constantFrom(
      screenOf('volumesView', d, (x) =>
        volumesView({ ...x.h, container: x.container, page: x.page, now: x.now }),
      ),
      screenOf('networksView', d, (x) =>
        networksView({ ...x.h, container: x.container, page: x.page, now: x.now }),
      ),
      screenOf('runtimeView', d, (x) =>
        runtimeView({ ...x.h, container: x.container, page: x.page, now: x.now }),
      ),
      screenOf('manageView', d, (x) =>
        manageView({ ...x.h, container: x.container, page: x.page }),
      ),
    ),
  ),
  fc
    .record({ h: host, container: details, page, action: fc.constantFrom(...CONTAINER_ACTIONS) })
    .map((d) =>
      screenOf('confirmView', d, (x) =>
        confirmView({ ...x.h, container: x.container, page: x.page, action: x.action }),
      ),
    ),
  fc
    .record({
      h: host,
      name: containerName,
      id: hexId,
      page,
      action: fc.constantFrom(...CONTAINER_ACTIONS),
      after: maybe(details),
      tookMs: num,
    })
    .map((d) =>
      screenOf('actionResultView', d, (x) =>
        actionResultView({
          ...x.h,
          name: x.name,
          id: x.id,
          page: x.page,
          action: x.action,
          after: x.after,
          tookMs: x.tookMs,
        }),
      ),
    ),
  fc
    .record({ h: host, images: list(imageSummary, 30), page, now: time })
    .map((d) =>
      screenOf('imageListView', d, (x) =>
        imageListView({ ...x.h, images: x.images, page: x.page, now: x.now }),
      ),
    ),
  fc
    .record({ h: host, image: imageDetails, page, now: time })
    .map((d) =>
      screenOf('imageDetailsView', d, (x) =>
        imageDetailsView({ ...x.h, image: x.image, page: x.page, now: x.now }),
      ),
    ),
  fc
    .record({ h: host, image: imageSummary, layers: list(layer, 30), page, now: time })
    .map((d) =>
      screenOf('imageHistoryView', d, (x) =>
        imageHistoryView({ ...x.h, image: x.image, layers: x.layers, page: x.page, now: x.now }),
      ),
    ),
  fc
    .record({ h: host, image: imageSummary, containers: list(summary, 30), page })
    .map((d) =>
      screenOf('imageUsedByView', d, (x) =>
        imageUsedByView({ ...x.h, image: x.image, containers: x.containers, page: x.page }),
      ),
    ),
  fc
    .record({ h: host, results: list(update, 30), scope: text, page, now: time })
    .map((d) =>
      screenOf('updatesView', d, (x) =>
        updatesView({ ...x.h, results: x.results, scope: x.scope, page: x.page, now: x.now }),
      ),
    ),
  fc
    .record({
      // Hosts come from the operator's config: a handful, with hostile labels and engine errors.
      hosts: fc.array(
        fc.record({
          index: fc.nat({ max: 9 }),
          label: text,
          summary: maybe(fc.record({ running: num, total: num, images: num })),
          error: maybe(text),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      current: fc.nat({ max: 9 }),
      keyboard: fc.constantFrom('reply' as const, 'inline' as const),
    })
    .map((d) => screenOf('dockerOverviewView', d, dockerOverviewView)),
  text.map((m) => screenOf('dockerErrorView', m, (x) => dockerErrorView(x))),
);

/** What the screen shows, for the secret checks. */
const shown = (view: View): string => visibleText(view.html.value);

describe('Docker screens under hostile container data', () => {
  it('every screen fits Telegram and parses; secret-named values never show', () => {
    fc.assert(
      fc.property(screens, (s) => {
        const view = s.render(s.input as never);
        checkView(view);
        expect(shown(view)).not.toContain(SECRET);
      }),
      fuzzParams(1500),
    );
  }, 120_000);

  it('container text never adds markup: the same screen with bland text has at least as much', () => {
    fc.assert(
      fc.property(screens, (s) => {
        // Italic notes ("+N more", "sections left out") appear when long text is cut.
        const hostile = skeleton(checkView(s.render(s.input as never))).filter(
          (t) => t !== 'italic',
        );
        const plain = skeleton(checkView(s.render(bland(s.input) as never))).filter(
          (t) => t !== 'italic',
        );
        // Sections and lists are cut to fit, so longer text may show less markup, never more.
        expect(hostile.length).toBeLessThanOrEqual(plain.length);
        for (const type of hostile) expect(plain).toContain(type);
      }),
      fuzzParams(600),
    );
  }, 120_000);

  it('log pages: control sequences gone, secrets and the bot token masked, every page fits', () => {
    const logLine = fc.oneof(
      text,
      fc.constantFrom(
        '\x1b[31mred\x1b[0m',
        '\x1b]0;title\x07',
        `password=${SECRET}`,
        `"api_key": "${SECRET}"`,
        `Authorization: Bearer ${SECRET}`,
        `postgres://app:${SECRET}@db:5432/x`,
        `token ${BOT_TOKEN} leaked`,
        '\u202Eevil',
        '<b>not bold</b>',
      ),
    );
    const log = fc.oneof(
      fc.array(logLine, { maxLength: 60 }).map((ls) => ls.join('\n')),
      fc
        .tuple(logLine, fc.integer({ min: 100, max: 5000 }))
        .map(([l, n]) => Array<string>(n).fill(l).join('\n')),
    );
    fc.assert(
      fc.property(
        log,
        fc.constantFrom(...LOG_MODES),
        text,
        fc.boolean(),
        (raw, mode, name, clipped) => {
          const clean = sanitiseLog(raw, (t) => t.split(BOT_TOKEN).join('[REDACTED]'));
          expect(clean).not.toContain(SECRET);
          expect(clean).not.toContain(BOT_TOKEN);
          expect(clean).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/);
          const pages = paginateNewestFirst(clean);
          for (
            let p = 0;
            p < Math.max(1, pages.length);
            p += Math.max(1, Math.floor(pages.length / 3))
          ) {
            const view = logsView({
              host: 0,
              hostLabel: undefined,
              containerId: 'c'.repeat(64),
              name,
              listPage: 0,
              mode,
              session: 'AAAAAAAA',
              pages,
              page: p,
              lines: raw.split('\n').length,
              clipped,
            });
            checkView(view);
            expect(shown(view)).not.toContain(SECRET);
          }
        },
      ),
      fuzzParams(400),
    );
  }, 120_000);
});
