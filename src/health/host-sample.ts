import type { SystemPort } from '../adapters/system/system-port';
import type { HostSample } from './analysis';

/** Reads what the host analysis needs from SystemPort; Docker counts come from `docker` (undefined: not reachable). */
export async function readHostSample(
  system: SystemPort,
  docker: () => Promise<{ running: number; total: number } | undefined>,
): Promise<HostSample> {
  const [cpu, memory, filesystems, load, containers] = await Promise.all([
    system.cpu().catch(() => undefined),
    system.memory().catch(() => undefined),
    system.filesystems().catch(() => []),
    system.loadAverage().catch(() => undefined),
    docker().catch(() => undefined),
  ]);
  let disk: HostSample['disk'];
  for (const fs of filesystems) {
    if (fs.sizeBytes === undefined || fs.usedBytes === undefined || fs.sizeBytes <= 0) continue;
    const percent = (fs.usedBytes / fs.sizeBytes) * 100;
    if (disk === undefined || percent > disk.percent) disk = { mount: fs.mountPoint, percent };
  }
  return {
    cpuPercent: cpu?.usage.total,
    iowaitPercent: cpu?.usage.times.iowait,
    memoryPercent:
      memory !== undefined && memory.totalBytes > 0
        ? (memory.usedBytes / memory.totalBytes) * 100
        : undefined,
    disk,
    load1: load?.one,
    cores: Math.max(1, load?.cores ?? cpu?.logicalCores ?? 1),
    docker: containers,
  };
}
