import { defineAction, field } from '../telegram/actions';
import { clip, html, joinHtml, type Html } from '../views/html';
import type { View } from '../views/view';
import type { AmAlert } from './alertmanager-payload';
import type { KeyFigures } from './health';

/** The Silence buttons' durations, in hours. */
export const SILENCE_HOURS = ['1', '4', '24'] as const;
export const AM_SILENCE_ACTION = defineAction('am.silence', {
  fingerprint: field.text(/^[0-9a-f]{1,32}$/),
  hours: field.oneOf(SILENCE_HOURS),
});

const LABEL_LINES = 12;
const ICON = { critical: '🔴', warning: '🟠', info: '🔵', resolved: '✅' } as const;

function severityOf(a: AmAlert): 'critical' | 'warning' | 'info' {
  const s = (a.labels.severity ?? '').toLowerCase();
  return s === 'critical' || s === 'page' ? 'critical' : s === 'warning' ? 'warning' : 'info';
}

export { severityOf as amSeverity };

/**
 * An Alertmanager alert as a chat message. Label values come from other systems and are escaped
 * by the html tag, so markup in them shows literally.
 */
export function amAlertView(
  a: AmAlert,
  options: { buttons: boolean; silencedUntil?: string },
): View {
  const { silencedUntil } = options;
  const name = a.labels.alertname ?? 'alert';
  const sev = severityOf(a);
  const icon = a.status === 'resolved' ? ICON.resolved : ICON[sev];
  const summary = a.annotations.summary ?? a.annotations.description;
  const labels = Object.entries(a.labels)
    .filter(([k]) => k !== 'alertname')
    .slice(0, LABEL_LINES)
    .map(([k, v]) => html`<code>${clip(k, 40)}</code>: ${clip(v, 120)}`);
  const lines: Html[] = [
    html`${icon} <b>${clip(name, 80)}</b> — ${a.status === 'resolved' ? 'resolved' : sev}`,
    ...(summary !== undefined ? [html`${clip(summary, 600)}`] : []),
    ...labels,
    html`<i>since ${clip(a.startsAt, 40)}${a.status === 'resolved' ? html`, resolved ${clip(a.endsAt, 40)}` : ''}</i>`,
    ...(silencedUntil !== undefined ? [html`🔕 silenced until ${silencedUntil}`] : []),
  ];
  const firing = a.status === 'firing' && options.buttons && silencedUntil === undefined;
  return {
    html: joinHtml(lines),
    ...(firing
      ? {
          keyboard: {
            kind: 'inline' as const,
            rows: [
              SILENCE_HOURS.map((h) =>
                AM_SILENCE_ACTION.button(`🔕 Silence ${h} h`, {
                  fingerprint: a.fingerprint,
                  hours: h,
                }),
              ),
            ],
          },
        }
      : {}),
  };
}

export function silencedToast(hours: number): string {
  return `Silenced for ${hours} h in Alertmanager`;
}

export function silenceFailedView(reason: string): View {
  return { html: html`⚠️ Could not create the silence: ${reason}` };
}

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(0)}%`);

/** "host unreachable" after N failed scrapes. */
export function hostUnreachableView(host: string, failures: number, reason: string): View {
  return {
    html: html`🔴 <b>${host}</b> is unreachable: ${failures} scrapes in a row failed (${reason}).`,
  };
}

export function hostBackView(host: string): View {
  return { html: html`✅ <b>${host}</b> is back: its metrics can be read again.` };
}

/** A remote host crossed a monitor threshold. */
export function hostThresholdView(
  host: string,
  over: readonly (keyof KeyFigures)[],
  f: KeyFigures,
  t: { cpu: number; memory: number; disk: number },
): View {
  const parts = over.map((k) => html`${k} ${pct(f[k])} (threshold ${t[k]}%)`);
  return { html: html`🟠 <b>${host}</b>: ${joinHtml(parts, ', ')}` };
}

export function hostThresholdClearedView(host: string): View {
  return { html: html`✅ <b>${host}</b>: back below the thresholds.` };
}
