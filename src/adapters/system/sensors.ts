import type { HostFs } from './host-fs';
import type { FanReading, SensorInfo, TemperatureReading } from './system-port';

/** Temperatures outside this range are broken sensors, not heat. */
const SANE_CELSIUS = { min: -50, max: 150 } as const;

/** hwmon as psutil reads it; thermal zones when there is no hwmon. Async: some hwmon drivers talk to hardware on read. */
export async function readSensors(fs: HostFs): Promise<SensorInfo> {
  const temperatures: TemperatureReading[] = [];
  const fans: FanReading[] = [];
  const sane = (c: number): boolean =>
    Number.isFinite(c) && c > SANE_CELSIUS.min && c < SANE_CELSIUS.max;
  const milli = async (file: string): Promise<number | undefined> => {
    const text = (await fs.tryRead(file))?.trim();
    const v = Number(text);
    return text !== undefined && text !== '' && Number.isFinite(v) ? v / 1000 : undefined;
  };
  const hwmons = (await fs.listAsync('sys/class/hwmon'))
    .filter((n) => /^hwmon\d+$/.test(n))
    .sort(byNumber);
  for (const hw of hwmons) {
    const dir = `sys/class/hwmon/${hw}`;
    const chip = (await fs.tryRead(`${dir}/name`))?.trim() || hw;
    // Older drivers keep their attributes under device/.
    for (const base of [dir, `${dir}/device`]) {
      const files = await fs.listAsync(base);
      for (const f of files.filter((x) => /^temp\d+_input$/.test(x)).sort(byNumber)) {
        const n = f.slice(4, -6);
        const celsius = await milli(`${base}/${f}`);
        if (celsius === undefined || !sane(celsius)) continue;
        const label = (await fs.tryRead(`${base}/temp${n}_label`))?.trim() || `temp${n}`;
        const high = await milli(`${base}/temp${n}_max`);
        const crit = await milli(`${base}/temp${n}_crit`);
        temperatures.push({
          chip,
          label,
          celsius,
          highCelsius: high !== undefined && sane(high) ? high : undefined,
          criticalCelsius: crit !== undefined && sane(crit) ? crit : undefined,
        });
      }
      for (const f of files.filter((x) => /^fan\d+_input$/.test(x)).sort(byNumber)) {
        const n = f.slice(3, -6);
        const rpm = Number((await fs.tryRead(`${base}/${f}`))?.trim());
        if (!Number.isFinite(rpm) || rpm < 0) continue;
        const label = (await fs.tryRead(`${base}/fan${n}_label`))?.trim() || `fan${n}`;
        fans.push({ chip, label, rpm });
      }
    }
  }
  if (temperatures.length === 0) {
    const zones = (await fs.listAsync('sys/class/thermal'))
      .filter((n) => /^thermal_zone\d+$/.test(n))
      .sort(byNumber);
    for (const zone of zones) {
      const celsius = await milli(`sys/class/thermal/${zone}/temp`);
      if (celsius === undefined || !sane(celsius)) continue;
      const chip = (await fs.tryRead(`sys/class/thermal/${zone}/type`))?.trim() || zone;
      temperatures.push({
        chip,
        label: zone,
        celsius,
        highCelsius: undefined,
        criticalCelsius: undefined,
      });
    }
  }
  return { temperatures, fans };
}

/** Sorts names like hwmon10 after hwmon9. */
function byNumber(a: string, b: string): number {
  const na = Number(/\d+/.exec(a)?.[0]);
  const nb = Number(/\d+/.exec(b)?.[0]);
  return na - nb || a.localeCompare(b);
}
