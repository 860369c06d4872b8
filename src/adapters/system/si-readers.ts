/** CPU facts that do not change while the host runs. */
export interface StaticCpu {
  readonly model: string | undefined;
  readonly physicalCores: number | undefined;
  readonly mhzMin: number | undefined;
  readonly mhzMax: number | undefined;
}

/** systeminformation is loaded at its first use (the CPU screen), not at start. */
export async function siStaticCpu(): Promise<StaticCpu> {
  const { default: si } = await import('systeminformation');
  const c = await si.cpu();
  const model = [c.manufacturer, c.brand]
    .filter((s) => typeof s === 'string' && s.trim() !== '')
    .join(' ');
  const mhz = (ghz: number): number | undefined =>
    Number.isFinite(ghz) && ghz > 0 ? Math.round(ghz * 1000) : undefined;
  return {
    model: model === '' ? undefined : model,
    physicalCores: c.physicalCores > 0 ? c.physicalCores : undefined,
    mhzMin: mhz(c.speedMin),
    mhzMax: mhz(c.speedMax),
  };
}
