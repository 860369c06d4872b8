import { LOCAL_HOST, type AlertRecord } from '../../../../src/alerts/types';
import { monitorStatusView } from '../../../../src/plugins/monitor/views';
import { visibleText } from '../../../../src/views/html';

const cpuAlert = (host: string): AlertRecord => ({
  id: `id-${host}`,
  key: JSON.stringify(['cpu', host, 'CPU']),
  host,
  target: 'CPU',
  severity: 'warning',
  facts: { kind: 'cpu', label: 'CPU', value: 95, threshold: 80, unit: '%' },
  state: 'firing',
  firedAt: 0,
  sent: true,
  oneShot: false,
});

const status = (active: AlertRecord[]) =>
  visibleText(
    monitorStatusView({
      now: 60_000,
      checkedAt: 60_000,
      intervalSeconds: 5,
      readings: [{ key: 'cpu', kind: 'cpu', label: 'CPU', value: 95, threshold: 80, unit: '%' }],
      active,
      mutes: 0,
      maintenance: undefined,
      held: 0,
      streams: undefined,
    }).html.value,
  );

describe('monitor status screen with remote hosts on the same engine', () => {
  it("marks this host's reading as alerting only for this host's alert, and lists a remote host's alert under its name", () => {
    const remoteOnly = status([cpuAlert('web-1')]);
    expect(remoteOnly).toContain('🟡 CPU: 95.0 % / 80.0 %');
    expect(remoteOnly).toContain('web-1\n  • 🔥 CPU 95 % over 80 % · web-1 — 🔔 firing since');
    expect(status([cpuAlert(LOCAL_HOST)])).toContain('🔴 CPU: 95.0 % / 80.0 %');
  });
});
