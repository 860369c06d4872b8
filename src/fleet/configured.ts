import type { FleetConfig } from '../config/types';

/** True when any fleet part is configured; otherwise nothing else of src/fleet is loaded. */
export function fleetConfigured(c: FleetConfig): boolean {
  return c.hosts.length > 0 || c.receiver !== undefined || c.metrics !== undefined;
}
