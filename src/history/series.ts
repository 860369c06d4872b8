import type { Unit } from './units';

/**
 * Series keys: `<group>.<field>` for host-wide figures, `<group>.<field>:<subject>`
 * for one of many (a mount point, an interface, a sensor, `<host>/<container>`).
 */
export type SeriesGroup = 'host' | 'fs' | 'net' | 'temp' | 'ctr';

export interface SeriesKey {
  readonly group: SeriesGroup;
  readonly field: string;
  readonly subject: string | undefined;
}

export const hostKey = (field: 'cpu' | 'mem' | 'swap' | 'load1' | 'load5' | 'load15'): string =>
  `host.${field}`;
export const fsKey = (field: 'used' | 'pct', mount: string): string => `fs.${field}:${mount}`;
export const netKey = (field: 'rx' | 'tx', iface: string): string => `net.${field}:${iface}`;
export const tempKey = (sensor: string): string => `temp.c:${sensor}`;
export const containerKey = (
  field: 'cpu' | 'mem' | 'rx' | 'tx',
  host: number,
  name: string,
): string => `ctr.${field}:${host}/${name}`;

const GROUPS: readonly SeriesGroup[] = ['host', 'fs', 'net', 'temp', 'ctr'];

export function parseSeriesKey(key: string): SeriesKey | undefined {
  const colon = key.indexOf(':');
  const head = colon === -1 ? key : key.slice(0, colon);
  const dot = head.indexOf('.');
  if (dot === -1) return undefined;
  const group = head.slice(0, dot) as SeriesGroup;
  if (!GROUPS.includes(group)) return undefined;
  return {
    group,
    field: head.slice(dot + 1),
    subject: colon === -1 ? undefined : key.slice(colon + 1),
  };
}

/** The unit a series is stored in. */
export function unitOf(key: SeriesKey): Unit {
  switch (key.group) {
    case 'host':
      return key.field === 'cpu' || key.field === 'mem' || key.field === 'swap'
        ? 'percent'
        : 'load';
    case 'fs':
      return key.field === 'pct' ? 'percent' : 'bytes';
    case 'net':
      return 'bytesPerSecond';
    case 'temp':
      return 'celsius';
    case 'ctr':
      return key.field === 'cpu' ? 'percent' : key.field === 'mem' ? 'bytes' : 'bytesPerSecond';
  }
}
