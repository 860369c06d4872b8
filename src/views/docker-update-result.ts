import type { PullProgress } from '../adapters/docker/update-port';
import type { UpdateStep, UpdateWhy } from '../features/docker/update-run';
import { DOCKER } from './docker-actions';
import type { HostContext } from './docker-containers';
import { formatBytes, formatTime, hostLine, shortId } from './docker-format';
import { UPDATE, type UpdateOp } from './docker-update-actions';
import { describeForUser } from './errors';
import { clip, html, joinHtml, type Html } from './html';
import type { InlineButton, View } from './view';

const NAME_MAX = 64;
const STEPS: readonly UpdateStep[] = ['pull', 'stop', 'create', 'start', 'verify', 'cleanup'];
const STEP_TEXT: Record<UpdateStep, Record<UpdateOp, string>> = {
  pull: { update: 'pull the new image', rollback: 'tag the previous image' },
  stop: { update: 'stop the old container (kept)', rollback: 'stop the current container (kept)' },
  create: { update: 'create the new container', rollback: 'create the container' },
  start: { update: 'start it', rollback: 'start it' },
  verify: { update: 'wait for running / healthy', rollback: 'wait for running / healthy' },
  cleanup: { update: 'remove the old container', rollback: 'remove the replaced container' },
};

export interface UpdateProgressData extends HostContext {
  readonly name: string;
  readonly op: UpdateOp;
  readonly step: UpdateStep;
  readonly pull?: PullProgress | undefined;
}

function pullDetail(p: PullProgress | undefined): string {
  if (p === undefined || p.layers === 0) return '';
  return ` · ${p.done}/${p.layers} layers${p.bytes > 0 ? ` · ${formatBytes(p.bytes)}` : ''}`;
}

/** The message while an update runs, edited as it moves from step to step. */
export function updateProgressView(d: UpdateProgressData): View {
  const at = STEPS.indexOf(d.step);
  const lines = STEPS.map((s, i) => {
    const mark = i < at ? '✅' : i === at ? '⏳' : '▫️';
    return html`${mark} ${STEP_TEXT[s][d.op]}${s === 'pull' && i === at ? pullDetail(d.pull) : ''}`;
  });
  const verb = d.op === 'update' ? 'Updating' : 'Rolling back';
  return {
    html: html`${hostLine(d.hostLabel)}⏳ <b>${verb} ${clip(d.name, NAME_MAX)}…</b>

${joinHtml(lines, '\n')}`,
  };
}

/** Why a replacement failed, in a line. */
export function whyText(why: UpdateWhy): string {
  switch (why.kind) {
    case 'error':
      return describeForUser(why.error);
    case 'exited':
      return why.exitCode === undefined
        ? 'the new container stopped and was restarted by its restart policy'
        : `the new container stopped (exit code ${why.exitCode})`;
    case 'unhealthy':
      return `the new container became unhealthy${why.output.trim() !== '' ? `: ${why.output.trim()}` : ''}`;
    case 'timeout':
      return `the new container was not ready in time (${why.state}${why.health !== 'none' ? `, ${why.health}` : ''})`;
  }
}

export type UpdateResult =
  | {
      readonly ok: true;
      readonly newImageId: string;
      readonly oldImageId: string;
      readonly tookMs: number;
      readonly keptUntil?: number | undefined;
    }
  | { readonly ok: 'unchanged'; readonly imageId: string }
  | {
      readonly ok: false;
      readonly failedAt: UpdateStep;
      readonly why: UpdateWhy;
      readonly restored: boolean;
      readonly restoreError?: unknown;
      readonly keptAs: string;
    };

export interface UpdateResultData extends HostContext {
  readonly name: string;
  /** The container to open afterwards (the new one after a success). */
  readonly id: string;
  readonly page: number;
  readonly op: UpdateOp;
  readonly image: string;
  readonly result: UpdateResult;
  /** Applied by tmbot itself (`tmbot.update=auto`, during maintenance), not by an admin. */
  readonly unattended?: boolean;
}

function resultText(d: UpdateResultData): Html {
  const name = clip(d.name, NAME_MAX);
  const r = d.result;
  const verb = d.op === 'update' ? 'Update' : 'Roll back';
  if (r.ok === 'unchanged')
    return html`✅ <b>${name}</b> already runs the image <code>${clip(d.image, 200)}</code> names (${shortId(r.imageId)}). Nothing changed.`;
  if (r.ok === true) {
    const kept =
      r.keptUntil !== undefined
        ? html`\nThe previous image ${shortId(r.oldImageId)} is kept for a roll back until ${formatTime(r.keptUntil)}.`
        : '';
    return html`✅ <b>${verb} of ${name} done</b> in ${(r.tookMs / 1000).toFixed(1)} s
Now running ${shortId(r.newImageId)} (was ${shortId(r.oldImageId)}) with the same configuration; the old container is removed.${kept}`;
  }
  const why = clip(whyText(r.why), 600);
  const step = STEP_TEXT[r.failedAt][d.op];
  if (r.restored)
    return html`❌ <b>${verb} of ${name} failed</b> at “${step}”: ${why}
↩️ ${r.failedAt === 'pull' ? 'Nothing was changed.' : 'Rolled back: the old container runs again with its image and configuration.'}`;
  return html`❌ <b>${verb} of ${name} failed</b> at “${step}”: ${why}
⚠️ Putting the old container back failed too: ${clip(describeForUser(r.restoreError), 300)}
It is kept as <code>${clip(r.keptAs, 140)}</code>; check <code>docker ps -a</code>.`;
}

/** The message once an update or a rollback is over. */
export function updateResultView(d: UpdateResultData): View {
  const text = html`${hostLine(d.hostLabel)}${d.unattended === true ? '🤖 Unattended update (tmbot.update=auto, maintenance)\n' : ''}${resultText(d)}`;
  // A notice to the admin chats belongs to no user: signed buttons cannot be sent with it.
  if (d.unattended === true) return { html: text };
  const args = { host: d.host, id: d.id, page: d.page };
  const rows: InlineButton[][] = [
    [
      UPDATE.screen.button('⬆️ Image update', args),
      DOCKER.container.button(`⬅️ Back to ${clip(d.name, 30)}`, args),
    ],
  ];
  return { html: text, keyboard: { kind: 'inline', rows } };
}

/** Toasts of the update screens. */
export const UPDATE_TOAST = {
  checking: 'Asking the registry…',
  busy: 'An update of this container is still running.',
  none: 'No update is offered for this container now.',
  noRollback: 'There is no previous image to roll back to.',
  never: 'Updates are off for this container (tmbot.update=never).',
  pinned: 'Pinned: no update is offered until you unpin.',
  unpinned: 'Unpinned.',
} as const;
