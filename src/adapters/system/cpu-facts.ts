import type { HostFs } from './host-fs';
import type { StaticCpu } from './si-readers';

/** `Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz` → `Intel Core™ i7-8550U` (systeminformation's shape). */
function cleanModel(name: string): string {
  const at = name.indexOf('@');
  const words = (at >= 0 ? name.slice(0, at) : name)
    .replace(/\((R|r)\)/g, '')
    .replace(/\((TM|tm)\)/g, '™')
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length > 1 && words[words.length - 1] === 'CPU') words.pop();
  return words.join(' ');
}

/**
 * Static CPU facts from /proc/cpuinfo and cpufreq limits, or undefined when the kernel does not
 * name the model there (some ARM boards): the caller then asks systeminformation (lscpu).
 * Read directly because loading systeminformation at start for this alone cost the idle daemon
 * about 2.5 MiB of resident memory (issue 11).
 */
export function cpuFactsFromProc(
  cpuinfo: string,
  minKhz: string | undefined,
  maxKhz: string | undefined,
): StaticCpu | undefined {
  let model: string | undefined;
  const cores = new Set<string>();
  let physical = '0';
  for (const line of cpuinfo.split('\n')) {
    const sep = line.indexOf(':');
    if (sep < 0) continue;
    const key = line.slice(0, sep).trim();
    const value = line.slice(sep + 1).trim();
    if (key === 'model name' && model === undefined && value !== '') model = cleanModel(value);
    else if (key === 'physical id') physical = value;
    else if (key === 'core id') cores.add(`${physical}:${value}`);
  }
  if (model === undefined || model === '') return undefined;
  const mhz = (khz: string | undefined): number | undefined => {
    const n = Number(khz);
    return khz !== undefined && Number.isFinite(n) && n > 0 ? Math.round(n / 1000) : undefined;
  };
  return {
    model,
    physicalCores: cores.size > 0 ? cores.size : undefined,
    mhzMin: mhz(minKhz?.trim()),
    mhzMax: mhz(maxKhz?.trim()),
  };
}

/** {@link cpuFactsFromProc} over the host's files. */
export function readCpuFacts(fs: HostFs): StaticCpu | undefined {
  const cpuinfo = fs.tryReadSync('proc/cpuinfo');
  if (cpuinfo === undefined) return undefined;
  const freq = 'sys/devices/system/cpu/cpu0/cpufreq';
  return cpuFactsFromProc(
    cpuinfo,
    fs.tryReadSync(`${freq}/cpuinfo_min_freq`),
    fs.tryReadSync(`${freq}/cpuinfo_max_freq`),
  );
}
