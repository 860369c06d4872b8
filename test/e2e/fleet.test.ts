/**
 * Fleet end to end: the built daemon, the Bot API emulator and the real node_exporter,
 * Prometheus and Alertmanager, all on loopback. What a person sees in the chat is asserted.
 */
import { parseExposition } from '../../src/fleet/exposition';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { buttonData } from '../support/bot-api-driver';
import { QUIET_HOST_CONDITIONS } from '../support/e2e-helpers';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  testConfig,
} from '../support/daemon';
import {
  describeStack,
  freePort,
  pollUntil,
  startAlertmanager,
  startNodeExporter,
  startPrometheus,
  type StackProcess,
} from '../support/prometheus-stack';

jest.setTimeout(180_000);

const RECEIVER_TOKEN = 'am-receiver-token-0123456789';
const METRICS_TOKEN = 'metrics-token-0123456789';
const EXPORTER_TOKEN = 'exporter-token-never-logged';

describeStack('fleet (daemon)', ['nodeExporter', 'prometheus', 'alertmanager'], () => {
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;
  const stack: StackProcess[] = [];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });
  afterEach(async () => {
    if (daemon !== undefined) {
      await daemon.stop();
      for (const secret of [TEST_TOKEN, TEST_SALT, RECEIVER_TOKEN, METRICS_TOKEN, EXPORTER_TOKEN])
        expect(daemon.output).not.toContain(secret);
      daemon.cleanup();
      daemon = undefined;
    }
    for (const p of stack.splice(0)) await p.stop();
    await emu.stop();
  });

  async function memTotal(url: string): Promise<number> {
    const text = await (await fetch(url)).text();
    const s = parseExposition(text, (n) => n === 'node_memory_MemTotal_bytes');
    return s[0]?.value ?? NaN;
  }

  it('two exporter hosts: picker, remote screens matching the exporter; "unreachable" through the alert engine with working Ack / Snooze, kept over a restart, resolved in place', async () => {
    const exporter = await startNodeExporter();
    stack.push(exporter);
    // beta has an exporter of its own, so stopping alpha's leaves it up.
    const other = await startNodeExporter();
    stack.push(other);
    const url = `${exporter.url}/metrics`;
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });
    const config = {
      ...testConfig(emu.apiRoot),
      hosts: [
        { name: 'alpha', node_exporter: { url, bearer_token: EXPORTER_TOKEN } },
        { name: 'beta', node_exporter: { url: `${other.url}/metrics`, timeout_seconds: 5 } },
      ],
      fleet: { scrape_interval_seconds: 5, unreachable_after: 2 },
      // This machine's live CPU, memory and disks (what the exporters report) never alert here.
      alerts: { conditions: QUIET_HOST_CONDITIONS },
    };
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config,
    });
    await daemon.ready();

    await admin.text('🚀 Server');
    // The admin's chat is the alert chat too: an alert may land before the reply.
    const picker = await admin.nextReplyMatching(/which host\?/, 30_000);
    expect(picker.text).toBe('🚀 Server: which host?');
    expect(picker.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual([
      '🖥 This host',
      '🌐 alpha',
      '🌐 beta',
    ]);
    const id = await admin.press(picker, buttonData(picker, '🌐 alpha'));
    await emu.waitForCallbackAnswer(id, 30_000);
    const overview = await emu.waitForEdit(
      (m) => m.message_id === picker.message_id && (m.text ?? '').includes('alpha — 👀 Overview'),
      30_000,
    );
    expect(overview.text).toContain('Not available for a remote host');
    const pressMemory = await admin.press(overview, buttonData(overview, '💾 Memory'));
    const total = await memTotal(url);
    await emu.waitForCallbackAnswer(pressMemory, 30_000);
    const memory = await emu.waitForEdit(
      (m) => (m.text ?? '').includes('alpha — 💾 Memory'),
      30_000,
    );
    // MemTotal is fixed for the machine: the screen shows the exporter's own figure.
    const gib = (total / 2 ** 30).toFixed(total / 2 ** 30 < 10 ? 2 : total / 2 ** 30 < 100 ? 1 : 0);
    expect(memory.text).toContain(`Total ${gib} GiB`);

    await admin.text('👀 Quick view');
    const quick = await admin.nextReplyMatching(/which host\?/, 30_000);
    expect(quick.text).toBe('👀 Quick view: which host?');

    // Stop alpha's exporter: one alert after 2 failed scrapes, through the alert engine (no
    // monitor plugin here: the engine is the core's), with its buttons.
    await exporter.halt();
    const down = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && /alpha is unreachable: 2 scrapes/.test(m.text ?? ''),
      60_000,
    );
    expect(down.text).toMatch(
      /^📡 alpha is unreachable: 2 scrapes in a row failed \(cannot connect \(ECONNREFUSED\)\)\n\n🔔 firing since/,
    );
    expect(down.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual([
      '✔️ Ack',
      '😴 1 h',
      '😴 4 h',
      '😴 24 h',
      '🔇 Mute this',
    ]);
    const ack = await admin.press(down, buttonData(down, '✔️ Ack'));
    expect((await emu.waitForCallbackAnswer(ack, 30_000)).text).toBe('Acknowledged');
    const acked = await emu.waitForEdit(
      (m) =>
        m.message_id === down.message_id &&
        (m.text ?? '').includes(`✔️ acknowledged by ${ADMIN_ID}`),
      30_000,
    );
    const snooze = await admin.press(acked, buttonData(acked, '😴 1 h'));
    expect((await emu.waitForCallbackAnswer(snooze, 30_000)).text).toBe('Snoozed for 1 h');
    await emu.waitForEdit(
      (m) => m.message_id === down.message_id && /😴 snoozed until/.test(m.text ?? ''),
      30_000,
    );

    // A restart keeps the open alert: it is not announced again, and the recovery after the
    // restart edits the original message and sends the resolution (the alert was snoozed, not acked).
    const first = daemon;
    await first.stop();
    const before = admin.transcript().length;
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      stateDir: first.stateDir,
      config,
    });
    // A cold start on a busy CI box can take longer than the usual 15 s.
    await daemon.ready(60_000);
    await exporter.start();
    const resolved = await emu.waitForEdit(
      (m) => m.message_id === down.message_id && /✅ resolved after/.test(m.text ?? ''),
      60_000,
    );
    expect(resolved.reply_markup?.inline_keyboard ?? []).toEqual([]);
    const note = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && /^✅ Resolved after/.test(m.text ?? ''),
      30_000,
    );
    expect(note.text).toMatch(/^✅ Resolved after .*: 📡 alpha is unreachable/);
    // Nothing about alpha was announced again after the restart, and beta never alerted.
    const since = admin
      .transcript()
      .slice(before)
      .map((e) => e.text ?? '');
    expect(since.filter((t) => /is unreachable: 2 scrapes/.test(t) && !/Resolved/.test(t))).toEqual(
      [],
    );
    expect(admin.transcript().some((e) => /beta is unreachable/.test(e.text ?? ''))).toBe(false);
    first.cleanup();
  });

  it('Alertmanager → chat, "Silence 1 h" creates a silence, resolved edits; /metrics scraped by Prometheus', async () => {
    const receiverPort = await freePort();
    const metricsPort = await freePort();
    const am = await startAlertmanager(
      [
        'route:',
        '  receiver: tmbot',
        '  group_by: [alertname, instance]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: tmbot',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${receiverPort}/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        `            credentials: ${RECEIVER_TOKEN}`,
        '',
      ].join('\n'),
    );
    stack.push(am);
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        ...testConfig(emu.apiRoot),
        fleet: {
          receiver: { enabled: true, port: receiverPort, bearer_token: RECEIVER_TOKEN },
          alertmanager: { url: am.url, privileged: false },
          metrics: { enabled: true, port: metricsPort, bearer_token: METRICS_TOKEN },
        },
      },
    });
    await daemon.ready();
    await admin.command('/start');

    const push = (instance: string, endsAt?: string) =>
      fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: { alertname: 'HostDown', instance, severity: 'critical' },
            annotations: { summary: 'The host does not answer' },
            ...(endsAt !== undefined ? { endsAt } : {}),
          },
        ]),
      });
    expect((await push('<b>db-1</b>')).status).toBe(200);
    const alert = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && (m.text ?? '').includes('db-1'),
      30_000,
    );
    expect(alert.text).toContain('instance: <b>db-1</b>');
    const press = await admin.press(alert, buttonData(alert, '🔕 Silence 1 h'));
    expect((await emu.waitForCallbackAnswer(press, 30_000)).text).toBe(
      'Silenced for 1 h in Alertmanager',
    );
    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as {
      matchers: { name: string; value: string }[];
      status: { state: string };
      createdBy: string;
    }[];
    const s = silences.find((x) => x.matchers.some((m) => m.value === '<b>db-1</b>'));
    expect(s?.status.state).toBe('active');
    expect(s?.createdBy).toBe(`tmbot user ${ADMIN_ID}`);

    expect((await push('web-9')).status).toBe(200);
    const second = await emu.waitForMessage((m) => (m.text ?? '').includes('web-9'), 30_000);
    expect((await push('web-9', new Date(Date.now() - 1000).toISOString())).status).toBe(200);
    const resolved = await emu.waitForEdit(
      (m) => m.message_id === second.message_id && (m.text ?? '').includes('resolved'),
      30_000,
    );
    expect(resolved.reply_markup?.inline_keyboard ?? []).toEqual([]);

    // The receiver refuses a wrong token; nothing is posted.
    const bad = await fetch(`http://127.0.0.1:${receiverPort}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' },
      body: '{}',
    });
    expect(bad.status).toBe(401);

    // /metrics: refused without the token; scraped by a real Prometheus with it.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(401);
    const prom = await startPrometheus(
      [
        '  - job_name: tmbot',
        '    authorization:',
        `      credentials: ${METRICS_TOKEN}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
      2,
    );
    stack.push(prom);
    const q = async (expr: string) => {
      const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
      return body.data?.result ?? [];
    };
    await pollUntil(
      'tmbot target up',
      async () => ((await q('up{job="tmbot"}'))[0]?.value[1] === '1' ? true : undefined),
      60_000,
      500,
    );
    const updates = await pollUntil('bot series', async () => {
      const r = await q('sum(tmbot_updates_total)');
      return r.length > 0 ? r : undefined;
    });
    expect(Number(updates[0]?.value[1])).toBeGreaterThanOrEqual(2);
    expect((await q('tmbot_alerts_total{severity="critical",state="firing"}')).length).toBe(1);
    expect((await q('tmbot_host_memory_bytes{kind="total"}')).length).toBe(1);
    expect((await q('tmbot_reply_seconds_count')).length).toBeGreaterThan(0);
    expect(
      (await q('tmbot_webhook_rejections_total{endpoint="alertmanager",reason="token"}')).length,
    ).toBe(1);
  });
});
