/**
 * The Server and Quick view screens with hostile host data: process, mount, device, interface,
 * user and sensor names with markup, bidi marks, emoji and lone surrogates; odd numbers (NaN,
 * Infinity, negative, 2^53); long lists. Every screen renders HTML Telegram accepts, within
 * 4096 UTF-16 units, and host text never adds markup.
 */
import fc from 'fast-check';
import type {
  ConnectionSummary,
  CpuInfo,
  DiskIo,
  FilesystemUsage,
  HostScope,
  LoadAverage,
  LoggedInUser,
  MemoryInfo,
  NetInterface,
  NetworkTotals,
  ProcessCounts,
  ProcessRow,
  SensorInfo,
  TopProcesses,
  UptimeInfo,
} from '../../../src/adapters/system/system-port';
import type { Html } from '../../../src/views/html';
import {
  SERVER_SCREENS,
  serverScreenView,
  unavailableBody,
  type ScreenNav,
} from '../../../src/views/server';
import {
  connectionsBody,
  coresBody,
  cpuBody,
  cpuTimesBody,
  diskIoBody,
  fansBody,
  filesystemsBody,
  interfacesBody,
  loadBody,
  memoryBody,
  networkBody,
  processBody,
  sensorsBody,
  swapBody,
  topBody,
  uptimeBody,
  usersBody,
} from '../../../src/views/server-bodies';
import {
  aboutView,
  QUICK_SUBS,
  quickSubView,
  quickView,
  type QuickViewData,
} from '../../../src/views/server-quick';
import { fuzzParams, hostileString, hostileText } from '../../support/fuzz';
import { bland, checkView, skeleton } from '../../support/telegram-rules';

/** Numbers as a parser of /proc or a confused sensor may report them. */
const num = fc.oneof(
  { arbitrary: fc.nat({ max: 1_000_000 }), weight: 4 },
  { arbitrary: fc.double({ min: -1e3, max: 1e3 }), weight: 2 },
  { arbitrary: fc.constantFrom(0, -1, NaN, Infinity, -Infinity, 2 ** 53, 1e300), weight: 1 },
);
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(a, { nil: undefined });
/** Clock readings (ms) the kernel and utmp can produce. */
const epochMs = fc.integer({ min: 0, max: 4_102_444_800_000 });
const name = hostileText;

const ctx: fc.Arbitrary<HostScope> = fc.record({
  inContainer: fc.boolean(),
  hostProcesses: fc.boolean(),
  hostNetwork: maybe(fc.boolean()),
});
const load: fc.Arbitrary<LoadAverage> = fc.record({
  one: num,
  five: num,
  fifteen: num,
  cores: num,
});
const cpu: fc.Arbitrary<CpuInfo> = fc.record({
  model: maybe(name),
  logicalCores: num,
  physicalCores: maybe(num),
  mhzCurrent: maybe(num),
  mhzMin: maybe(num),
  mhzMax: maybe(num),
  usage: fc.record({
    total: num,
    perCore: fc.array(num, { maxLength: 300 }),
    times: fc.record({
      user: num,
      nice: num,
      system: num,
      idle: num,
      iowait: num,
      irq: num,
      softirq: num,
      steal: num,
    }),
    windowMs: maybe(num),
  }),
});
const memory: fc.Arbitrary<MemoryInfo> = fc.record({
  totalBytes: num,
  freeBytes: num,
  availableBytes: num,
  usedBytes: num,
  buffersBytes: num,
  activeBytes: num,
  inactiveBytes: num,
  cachedBytes: num,
  sharedBytes: num,
  swap: maybe(fc.record({ totalBytes: num, usedBytes: num, freeBytes: num })),
  containerLimit: maybe(fc.record({ limitBytes: num, usageBytes: num })),
});
const sensors: fc.Arbitrary<SensorInfo> = fc.record({
  temperatures: fc.array(
    fc.record({
      chip: fc.oneof(name, fc.constantFrom('coretemp-isa-0000', 'nvme-pci-0100')),
      label: name,
      celsius: num,
      highCelsius: maybe(num),
      criticalCelsius: maybe(num),
    }),
    { maxLength: 60 },
  ),
  fans: fc.array(fc.record({ chip: name, label: name, rpm: num }), { maxLength: 40 }),
});
/** State names come from the kernel's letters; a few unknown ones are allowed. */
const stateName = fc.oneof(
  fc.constantFrom('running', 'sleeping', 'disk sleep', 'idle', 'zombie', 'stopped'),
  hostileString.map((s) => s.slice(0, 20)),
);
const processes: fc.Arbitrary<ProcessCounts> = fc.record({
  total: num,
  byState: fc.dictionary(stateName, num, { maxKeys: 12 }),
});
const row: fc.Arbitrary<ProcessRow> = fc.record({
  pid: fc.nat(),
  name,
  cpuPercent: num,
  memPercent: num,
  rssBytes: num,
});
const top: fc.Arbitrary<TopProcesses> = fc.record({
  byCpu: fc.array(row, { maxLength: 10 }),
  byMemory: fc.array(row, { maxLength: 10 }),
  total: num,
  windowMs: num,
});
const uptime: fc.Arbitrary<UptimeInfo> = fc.record({ seconds: num, bootTime: epochMs });
const users: fc.Arbitrary<LoggedInUser[]> = fc.array(
  fc.record({
    name,
    tty: fc.oneof(fc.constant(''), name),
    host: fc.oneof(fc.constant(''), name),
    since: maybe(epochMs),
  }),
  { maxLength: 80 },
);
const filesystems: fc.Arbitrary<FilesystemUsage[]> = fc.array(
  fc.record({
    device: name,
    type: name,
    mountPoint: name,
    sizeBytes: maybe(num),
    usedBytes: maybe(num),
    freeBytes: maybe(num),
  }),
  { maxLength: 80 },
);
const disks: fc.Arbitrary<DiskIo[]> = fc.array(
  fc.record({
    device: name,
    readBytes: num,
    writeBytes: num,
    reads: num,
    writes: num,
    readTimeMs: num,
    writeTimeMs: num,
  }),
  { maxLength: 80 },
);
const counters = fc.record({ bytes: num, packets: num, errors: num, drops: num });
const network: fc.Arbitrary<NetworkTotals> = fc.record({
  received: counters,
  sent: counters,
  interfaces: num,
});
const interfaces: fc.Arbitrary<NetInterface[]> = fc.array(
  fc.record({
    name,
    state: fc.oneof(fc.constantFrom('up', 'down', 'unknown'), name),
    speedMbps: maybe(num),
    mtu: maybe(num),
    ipv4: fc.array(fc.oneof(fc.constant('10.0.0.1'), name), { maxLength: 8 }),
    ipv6: fc.array(fc.oneof(fc.constant('fe80::1'), name), { maxLength: 40 }),
  }),
  { maxLength: 60 },
);
const tcpState = fc.oneof(
  fc.constantFrom('ESTABLISHED', 'LISTEN', 'TIME_WAIT', 'CLOSE_WAIT', 'OTHER'),
  hostileString.map((s) => s.slice(0, 20)),
);
const connections: fc.Arbitrary<ConnectionSummary> = fc.record({
  total: num,
  tcp: num,
  udp: num,
  tcpByState: fc.dictionary(tcpState, num, { maxKeys: 14 }),
  detailed: fc.boolean(),
});

/** Every screen body with the nav it is shown with. */
interface Screen<T> {
  nav: ScreenNav;
  input: T;
  render: (input: T) => Html;
}
const screenOf = <T>(nav: ScreenNav, input: T, render: (input: T) => Html): Screen<unknown> =>
  ({ nav, input, render }) as Screen<unknown>;

const screen: fc.Arbitrary<Screen<unknown>> = fc.oneof(
  load.map((l) => screenOf({ screen: 'load' as const }, l, loadBody)),
  cpu.map((c) => screenOf({ screen: 'cpu' as const }, c, cpuBody)),
  cpu.map((c) => screenOf({ screen: 'cores' as const }, c, coresBody)),
  cpu.map((c) => screenOf({ screen: 'times' as const }, c, cpuTimesBody)),
  fc
    .tuple(
      top,
      fc.constantFrom('cpu' as const, 'mem' as const),
      fc.constantFrom('cpu' as const, 'process' as const),
    )
    .map(([t, sort, from]) =>
      screenOf({ screen: 'top', top: { from, sort } }, t, (x) => topBody(x, sort)),
    ),
  memory.map((m) => screenOf({ screen: 'memory' as const }, m, memoryBody)),
  memory.map((m) => screenOf({ screen: 'swap' as const }, m, swapBody)),
  sensors.map((s) => screenOf({ screen: 'sensors' as const }, s, sensorsBody)),
  sensors.map((s) => screenOf({ screen: 'fans' as const }, s, fansBody)),
  processes.map((p) => screenOf({ screen: 'process' as const }, p, processBody)),
  uptime.map((u) => screenOf({ screen: 'uptime' as const }, u, uptimeBody)),
  fc
    .tuple(users, epochMs)
    .map(([u, now]) => screenOf({ screen: 'users' }, u, (x) => usersBody(x, now))),
  filesystems.map((f) => screenOf({ screen: 'fs' as const }, f, filesystemsBody)),
  disks.map((d) => screenOf({ screen: 'diskio' as const }, d, diskIoBody)),
  network.map((n) => screenOf({ screen: 'net' as const }, n, networkBody)),
  interfaces.map((i) => screenOf({ screen: 'ifaces' as const }, i, interfacesBody)),
  connections.map((c) => screenOf({ screen: 'conns' as const }, c, connectionsBody)),
  fc
    .constantFrom(...SERVER_SCREENS)
    .map((id) => screenOf({ screen: id }, id, () => unavailableBody(id))),
);

const quickData: fc.Arbitrary<QuickViewData> = fc.record({
  uptime: maybe(uptime),
  load: maybe(load),
  cpu: maybe(cpu),
  memory: maybe(memory),
  processes: maybe(processes),
  docker: maybe(
    fc.oneof(
      fc.record({ running: num, total: num, images: num }),
      fc.record({ unavailable: hostileText }),
    ),
  ),
  context: ctx,
});

describe('server screens under hostile host data', () => {
  it('every screen fits Telegram, parses, and has its navigation', () => {
    fc.assert(
      fc.property(screen, ctx, (s, c) => {
        const view = serverScreenView(s.nav, s.render(s.input), c);
        checkView(view);
        expect(view.keyboard?.kind).toBe('inline');
      }),
      fuzzParams(2500),
    );
  }, 90_000);

  it('host text never adds markup: the same screen with bland names has at least as much', () => {
    fc.assert(
      fc.property(screen, (s) => {
        const hostile = skeleton(checkView({ html: s.render(s.input) }));
        const plain = skeleton(checkView({ html: s.render(bland(s.input)) }));
        // Lists are cut to fit, so hostile (longer) names may show fewer rows, never more markup.
        expect(hostile.length).toBeLessThanOrEqual(plain.length);
        for (const type of hostile) expect(plain).toContain(type);
      }),
      fuzzParams(1000),
    );
  }, 90_000);

  it('Quick view, its sub-screens and About me fit and parse', () => {
    fc.assert(
      fc.property(
        quickData,
        fc.constantFrom(...QUICK_SUBS),
        fc.record({ nodeVersion: hostileText, botUptimeSeconds: num }),
        screen,
        (d, sub, about, s) => {
          checkView(quickView(d));
          checkView(quickSubView(sub, s.render(s.input)));
          checkView(aboutView(about));
        },
      ),
      fuzzParams(800),
    );
  }, 90_000);
});
