import { defineAction, field } from '../telegram/actions';
import { clip, html, joinHtml, type Html } from '../views/html';
import type { View } from '../views/view';
import type { AmAlert } from './alertmanager-payload';

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
