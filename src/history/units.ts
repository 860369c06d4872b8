/** What a series measures, for axis labels and captions. */
export type Unit = 'percent' | 'bytes' | 'bytesPerSecond' | 'celsius' | 'load';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Short human form: "42 %", "1.5 GiB", "120 KiB/s", "48 °C", "0.75". */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'percent':
      return `${round(value)} %`;
    case 'celsius':
      return `${round(value)} °C`;
    case 'load':
      return round(value);
    case 'bytes':
      return bytes(value);
    case 'bytesPerSecond':
      return `${bytes(value)}/s`;
  }
}

function round(value: number): string {
  const abs = Math.abs(value);
  return abs >= 100 || Number.isInteger(value)
    ? value.toFixed(0)
    : value.toFixed(abs >= 10 ? 1 : 2);
}

function bytes(value: number): string {
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${round(v)} ${BYTE_UNITS[i] as string}`;
}

/** How an axis shows `unit`: values are divided by `divisor` and labelled with `suffix`. */
export interface AxisScale {
  readonly divisor: number;
  readonly suffix: string;
}

/** The axis scale for values up to `max` (bytes in the largest binary unit that keeps them ≥ 1). */
export function axisScale(max: number, unit: Unit): AxisScale {
  switch (unit) {
    case 'percent':
      return { divisor: 1, suffix: ' %' };
    case 'celsius':
      return { divisor: 1, suffix: ' °C' };
    case 'load':
      return { divisor: 1, suffix: '' };
    case 'bytes':
    case 'bytesPerSecond': {
      let i = 0;
      while (max >= 1024 ** (i + 1) && i < BYTE_UNITS.length - 1) i++;
      return {
        divisor: 1024 ** i,
        suffix: ` ${BYTE_UNITS[i] as string}${unit === 'bytes' ? '' : '/s'}`,
      };
    }
  }
}
