import fc from 'fast-check';
import { fuzzParams } from '../../support/fuzz';
import {
  DEFAULT_EXPOSITION_LIMITS,
  ExpositionError,
  parseExposition,
} from '../../../src/fleet/exposition';
import { keepNodeMetric, snapshotFromSamples, cpuCounters } from '../../../src/fleet/node-metrics';

const PAGE = [
  '# HELP node_load1 1m load average.',
  '# TYPE node_load1 gauge',
  'node_load1 0.5',
  'node_load5 0.25',
  'node_load15 1e-1',
  'node_cpu_seconds_total{cpu="0",mode="idle"} 100',
  'node_cpu_seconds_total{cpu="0",mode="user"} 50',
  'node_cpu_seconds_total{cpu="1",mode="idle"} 100',
  'node_cpu_seconds_total{cpu="1",mode="iowait"} 10',
  'node_memory_MemTotal_bytes 8e+09',
  'node_memory_MemAvailable_bytes 2e+09',
  'node_memory_SwapTotal_bytes 0',
  'node_memory_SwapFree_bytes 0',
  'node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1000',
  'node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 250',
  'node_network_receive_bytes_total{device="lo"} 5',
  'node_network_transmit_bytes_total{device="lo"} 5',
  'node_network_receive_bytes_total{device="eth0"} 123',
  'node_network_transmit_bytes_total{device="eth0"} 456 1700000000000',
  'node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"} 42.5',
  'node_boot_time_seconds 1000',
  'node_time_seconds 4600.5',
  'go_goroutines 8',
  '',
].join('\n');

describe('parseExposition', () => {
  it('reads samples, labels, special values and optional timestamps', () => {
    const s = parseExposition(
      'a 1\nb{x="1",y="q\\"uote\\\\ \\n"} +Inf\nc NaN\nd{} -2.5e3 123\n# EOF\n',
    );
    expect(s.map((x) => [x.name, { ...x.labels }, x.value])).toEqual([
      ['a', {}, 1],
      ['b', { x: '1', y: 'q"uote\\ \n' }, Infinity],
      ['c', {}, NaN],
      ['d', {}, -2500],
    ]);
  });

  it('skips metrics it does not keep without parsing their labels', () => {
    const s = parseExposition(PAGE, keepNodeMetric);
    expect(s.some((x) => x.name === 'go_goroutines')).toBe(false);
    expect(s).toHaveLength(20);
  });

  it.each([
    ['garbage', '<html>hello</html>'],
    ['a bad value', 'a one'],
    ['an unterminated label', 'a{x="1} 1'],
    ['a bad escape', 'a{x="\\q"} 1'],
    ['a bad label name', 'a{1x="1"} 1'],
    ['extra fields', 'a 1 2 3'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow(ExpositionError);
  });

  it('bounds size, lines, line length and labels', () => {
    const limits = { ...DEFAULT_EXPOSITION_LIMITS, maxBytes: 100, maxLines: 3, maxLabels: 2 };
    expect(() => parseExposition('a 1\n'.repeat(30), undefined, limits)).toThrow(/larger than 100/);
    expect(() => parseExposition('a 1\n'.repeat(5), undefined, limits)).toThrow(
      /more than 3 lines/,
    );
    expect(() => parseExposition('a{x="1",y="2",z="3"} 1', undefined, limits)).toThrow(
      /line 1 is not/,
    );
    expect(() =>
      parseExposition(`a{x="${'v'.repeat(200)}"} 1`, undefined, {
        ...DEFAULT_EXPOSITION_LIMITS,
        maxLineLength: 100,
      }),
    ).toThrow(/longer than 100/);
  });

  it('never throws anything but ExpositionError and never grows past its bounds (fuzz)', () => {
    const limits = { ...DEFAULT_EXPOSITION_LIMITS, maxBytes: 2000, maxLines: 40 };
    const line = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .tuple(
          fc.constantFrom('a', 'node_load1', '__proto__', 'x:y'),
          fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', 'b'), fc.string()),
          fc.oneof(fc.double().map(String), fc.constantFrom('NaN', '+Inf', 'x')),
        )
        .map(
          ([n, l, v]) =>
            `${n}{${Object.entries(l)
              .map(([k, x]) => `${k}="${x.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\n')}"`)
              .join(',')}} ${v}`,
        ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 50 }), (lines) => {
        try {
          const out = parseExposition(lines.join('\n'), undefined, limits);
          expect(out.length).toBeLessThanOrEqual(40);
          for (const s of out) expect(Object.getPrototypeOf(s.labels)).toBeNull();
        } catch (err) {
          expect(err).toBeInstanceOf(ExpositionError);
        }
      }),
      fuzzParams(400),
    );
  });
});

describe('snapshotFromSamples', () => {
  const samples = parseExposition(PAGE, keepNodeMetric);

  it('derives the server figures node_exporter supports', () => {
    const snap = snapshotFromSamples(samples);
    expect(snap.load).toEqual([0.5, 0.25, 0.1]);
    expect(snap.cpu).toEqual({ cores: 2 });
    expect(snap.memory).toEqual({ totalBytes: 8e9, availableBytes: 2e9 });
    expect(snap.swap).toEqual({ totalBytes: 0, freeBytes: 0 });
    expect(snap.filesystems).toEqual([
      { mount: '/', device: '/dev/sda1', fstype: 'ext4', sizeBytes: 1000, availBytes: 250 },
    ]);
    expect(snap.network).toEqual([{ name: 'eth0', rxBytes: 123, txBytes: 456 }]);
    expect(snap.temperatures).toEqual([
      { chip: 'platform_coretemp_0', sensor: 'temp1', celsius: 42.5 },
    ]);
    expect(snap.uptimeSeconds).toBe(3600.5);
  });

  it('computes CPU busy from two readings', () => {
    const before = cpuCounters(samples);
    expect(before).toEqual({ busy: 50, total: 260, cores: 2 });
    const later = parseExposition(
      PAGE.replace('mode="user"} 50', 'mode="user"} 80').replace(
        'cpu="1",mode="idle"} 100',
        'cpu="1",mode="idle"} 130',
      ),
      keepNodeMetric,
    );
    expect(snapshotFromSamples(later, before).cpu).toEqual({ cores: 2, busyPercent: 50 });
  });

  it('leaves out what the exporter does not expose', () => {
    expect(snapshotFromSamples([])).toEqual({ filesystems: [], network: [], temperatures: [] });
  });
});
