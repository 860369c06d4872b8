import type { HostAnalysis, PressureLevel } from '../health/analysis';
import type { HealthLevel, HealthSnapshot } from '../health/types';
import { defineAction } from '../telegram/actions';
import { clip, html, visibleText, type Html } from './html';
import { TELEGRAM_LIMITS, type View } from './view';
import { isoTime } from '../clock';

/** The Health screen's Refresh button. */
export const HEALTH_REFRESH = defineAction('health.refresh');

export const LEVEL_ICON: Readonly<Record<HealthLevel, string>> = {
  healthy: '✅',
  degraded: '⚠️',
  unhealthy: '❌',
  critical: '🛑',
};

/** Components shown; more (dozens of Docker hosts) are summarised in one line. */
const MAX_COMPONENTS = 15;

function hhmmss(ms: number): string {
  return isoTime(ms).slice(11, 19);
}

/** The Health screen: overall level with reasons, then every component with status and latency. */
export function healthView(snap: HealthSnapshot, analysis?: HostAnalysis): View {
  // Long or emoji-heavy summaries (an emoji counts two) can overflow Telegram's limit: show fewer rows.
  let count = Math.min(snap.components.length, MAX_COMPONENTS);
  let view = renderHealth(snap, count, analysis);
  while (count > 0 && visibleText(view.html.value).length > TELEGRAM_LIMITS.messageText) {
    count -= 1;
    view = renderHealth(snap, count, analysis);
  }
  return view;
}

const PRESSURE_ICON: Readonly<Record<PressureLevel, string>> = {
  normal: '🟢',
  elevated: '🟡',
  critical: '🔴',
};

/** Score, dominant pressure, levels, Docker picture and recommendations. */
export function hostAnalysisHtml(a: HostAnalysis): Html {
  const levels = (Object.keys(a.levels) as (keyof HostAnalysis['levels'])[]).flatMap((k) => {
    const level = a.levels[k];
    return level === undefined ? [] : [html`${PRESSURE_ICON[level]} ${k} ${level}`];
  });
  const dominant =
    a.dominant !== undefined
      ? html`\nDominant pressure: <b>${a.dominant.pressure}</b> (${Math.round(a.dominant.percent)}%)`
      : '';
  const docker =
    a.docker !== undefined
      ? html`\n🐳 Docker: ${a.docker.running} running, ${a.docker.stopped} stopped (${Math.round(a.docker.runningShare * 100)}% running, ${a.docker.perCore.toFixed(1)} per core)`
      : '';
  const recs =
    a.recommendations.length > 0
      ? html`\n<b>Recommended</b>\n${a.recommendations.slice(0, 6).map((r) => html`• ${clip(r, 160)}\n`)}`
      : html`\n✅ Nothing to do.\n`;
  return html`📊 <b>Host score: ${a.score}/100</b>${dominant}
${levels.map((l, i) => html`${i > 0 ? ' · ' : ''}${l}`)} <i>(70/85%)</i>${docker}
${recs}`;
}

function renderHealth(snap: HealthSnapshot, count: number, analysis?: HostAnalysis): View {
  const shown = snap.components.slice(0, count);
  const rows: Html[] = shown.map((c) => {
    if (c.checkedAt === 0) return html`⏳ <b>${clip(c.label, 32)}</b> — not checked yet`;
    const latency = c.latencyMs !== undefined ? html` · ${c.latencyMs} ms` : '';
    return html`${LEVEL_ICON[c.level]} <b>${clip(c.label, 32)}</b>${latency}\n      ${clip(c.summary, 140)}`;
  });
  const more = snap.components.length - shown.length;
  const reasons =
    snap.reasons.length > 0
      ? html`\n${snap.reasons.slice(0, 5).map((r) => html`• ${clip(r, 120)}\n`)}`
      : '';
  const checked =
    snap.checkedAt > 0
      ? html`<i>Checked at ${hhmmss(snap.checkedAt)} UTC</i>`
      : html`<i>Checks are starting…</i>`;
  return {
    html: html`🩺 <b>Health: ${LEVEL_ICON[snap.overall]} ${snap.overall}</b>
${reasons}
${rows.map((r) => html`${r}\n`)}${more > 0 ? html`… and ${more} more\n` : ''}
${analysis !== undefined ? html`${hostAnalysisHtml(analysis)}\n` : ''}${checked}`,
    keyboard: { kind: 'inline', rows: [[HEALTH_REFRESH.button('🔄 Refresh')]] },
  };
}
