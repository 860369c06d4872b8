/**
 * The Alertmanager receiver and relay against a real Alertmanager: it posts to tmbot's receiver,
 * the relay posts and edits messages, the silence client creates silences Alertmanager lists.
 * Bad requests are refused with 4xx and nothing is posted.
 */
import { systemClock } from '../../src/clock';
import { silentLogger } from '../support/silent-logger';
import { AlertmanagerClient } from '../../src/fleet/alertmanager-client';
import { AlertmanagerRelay } from '../../src/fleet/alertmanager-relay';
import { alertmanagerReceiver } from '../../src/fleet/endpoints';
import type { EndpointRejection } from '../../src/fleet/http-endpoint';
import type { HttpEndpoint } from '../../src/fleet/http-endpoint';
import { FakeSender } from '../support/fake-sender';
import { MemoryStore } from '../support/memory-store';
import {
  describeStack,
  freePort,
  pollUntil,
  startAlertmanager,
  type StackProcess,
} from '../support/prometheus-stack';

const TOKEN = 'receiver-token-0123456789';
const CHAT = 42;

describeStack('Alertmanager receiver', ['alertmanager'], () => {
  let am: StackProcess;
  let receiver: HttpEndpoint;
  let relay: AlertmanagerRelay;
  let client: AlertmanagerClient;
  const sender = new FakeSender();
  const rejections: EndpointRejection[] = [];
  let receiverUrl: string;

  beforeAll(async () => {
    // The receiver binds its port before Alertmanager starts: a port picked and bound later
    // could be taken in between (Alertmanager itself picks a free port too).
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      receiver = alertmanagerReceiver(
        {
          listen: '127.0.0.1',
          port,
          path: '/alertmanager',
          bearerToken: TOKEN,
          maxBodyBytes: 64 * 1024,
          rateLimit: { limit: 1000, windowMs: 60_000 },
          requestTimeoutMs: 5000,
        },
        {
          deliver: (p) => void relay.deliver(p),
          rejected: (r) => rejections.push(r),
          clock: systemClock,
          log: silentLogger,
        },
      );
      try {
        await receiver.start();
        receiverUrl = `http://127.0.0.1:${port}/alertmanager`;
        break;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'EADDRINUSE' || attempt >= 5) throw err;
      }
    }
    am = await startAlertmanager(
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
        `      - url: ${receiverUrl}`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        `            credentials: ${TOKEN}`,
        '',
      ].join('\n'),
    );
    const endpoint = { url: am.url, auth: {}, limits: { timeoutMs: 5000, maxBytes: 1 << 20 } };
    client = new AlertmanagerClient(endpoint);
    relay = new AlertmanagerRelay({
      sender,
      chatIds: [CHAT],
      buttonsFor: (chatId) => (chatId > 0 ? chatId : undefined),
      alertmanager: client,
      store: new MemoryStore(),
      clock: systemClock,
      log: silentLogger,
      counted: () => undefined,
    });
  }, 90_000);

  afterAll(async () => {
    await receiver?.stop();
    await am?.stop();
  });

  async function pushAlert(instance: string, endsAt?: string): Promise<void> {
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'DiskFull', instance, severity: 'critical' },
          annotations: { summary: 'Disk / is 97% full' },
          ...(endsAt !== undefined ? { endsAt } : {}),
        },
      ]),
    });
    expect(res.status).toBe(200);
  }

  it('posts a firing alert and silences it through the API', async () => {
    await pushAlert('<b>web-1</b>');
    const posted = await pollUntil('the alert message', async () =>
      Promise.resolve(sender.sent.find((s) => s.kind === 'send' && s.text.includes('DiskFull'))),
    );
    // Markup in a label value renders literally.
    expect(posted.text).toContain('instance: <b>web-1</b>');
    expect(posted.view.html.value).toContain('&lt;b&gt;web-1&lt;/b&gt;');
    const buttons = posted.view.keyboard?.kind === 'inline' ? posted.view.keyboard.rows[0] : [];
    expect(buttons?.map((b) => b.text)).toEqual([
      '🔕 Silence 1 h',
      '🔕 Silence 4 h',
      '🔕 Silence 24 h',
    ]);
    const fp =
      buttons?.[0] !== undefined && 'args' in buttons[0] ? buttons[0].args?.[0] : undefined;
    const alert = relay.alert(fp ?? '');
    expect(alert?.labels.alertname).toBe('DiskFull');
    const id = await client.createSilence({
      matchers: Object.entries(alert?.labels ?? {}).map(([name, value]) => ({ name, value })),
      startsAt: new Date(),
      endsAt: new Date(Date.now() + 3_600_000),
      createdBy: 'tmbot test',
      comment: 'test',
    });
    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as {
      id: string;
      status: { state: string };
    }[];
    expect(silences.find((s) => s.id === id)?.status.state).toBe('active');
  }, 120_000);

  it('edits the message when Alertmanager says the alert resolved', async () => {
    await pushAlert('web-2');
    const posted = await pollUntil('the alert message', async () =>
      Promise.resolve(sender.sent.find((s) => s.kind === 'send' && s.text.includes('web-2'))),
    );
    await pushAlert('web-2', new Date(Date.now() - 1000).toISOString());
    const edit = await pollUntil('the resolved edit', async () =>
      Promise.resolve(
        sender.sent.find((s) => s.kind === 'edit' && s.messageId === posted.messageId),
      ),
    );
    expect(edit.text).toContain('DiskFull — resolved');
    expect(edit.view.keyboard).toBeUndefined();
    expect(sender.sent.filter((s) => s.kind === 'send' && s.text.includes('web-2'))).toHaveLength(
      1,
    );
  }, 120_000);

  it('refuses wrong tokens, oversized and malformed payloads with 4xx and posts nothing', async () => {
    const before = sender.sent.length;
    const valid = JSON.stringify({ version: '4', status: 'firing', receiver: 'x', alerts: [] });
    const post = (body: string, headers: Record<string, string>) =>
      fetch(receiverUrl, { method: 'POST', headers, body }).then((r) => r.status);
    const json = { 'content-type': 'application/json' };
    const auth = { ...json, authorization: `Bearer ${TOKEN}` };
    expect(await post(valid, json)).toBe(401);
    expect(await post(valid, { ...json, authorization: 'Bearer wrong-token-0123456789' })).toBe(
      401,
    );
    expect(await post('x'.repeat(65 * 1024), auth)).toBe(413);
    expect(await post('{"version":"4","alerts":[{"status":"firing"}]}', auth)).toBe(400);
    expect(await post('not json', auth)).toBe(400);
    expect(
      await post(valid, { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }),
    ).toBe(415);
    expect((await fetch(receiverUrl, { headers: auth })).status).toBe(405);
    expect(await post(valid, auth)).toBe(200);
    expect(sender.sent.length).toBe(before);
    expect(rejections).toEqual(
      expect.arrayContaining(['token', 'too-large', 'malformed', 'content-type', 'method']),
    );
  });
});
