import type { ContainerDetails } from '../adapters/docker/port';
import type { UpdateStatus } from '../adapters/docker/update-checker';
import { UPDATE, UPDATE_LABEL, type UpdateOp, type UpdatePolicy } from './docker-update-actions';
import { backToContainer, type HostContext } from './docker-containers';
import { formatTime, hostLine, shortId } from './docker-format';
import { clip, html, type Html } from './html';
import type { InlineButton, View } from './view';

const NAME_MAX = 64;

/** What the registry says about the container's tag, or why nothing can be asked. */
export type ContainerUpdateStatus = UpdateStatus | { readonly kind: 'untagged' };

export interface UpdateScreenData extends HostContext {
  readonly container: ContainerDetails;
  readonly page: number;
  readonly policy: UpdatePolicy;
  readonly status: ContainerUpdateStatus;
  readonly pinned?: { readonly digest: string; readonly at: number } | undefined;
  readonly rollback?: { readonly oldImageId: string; readonly until: number } | undefined;
  /** `docker.image_updates.auto`: `tmbot.update=auto` containers are updated during maintenance. */
  readonly auto?: boolean;
}

function statusLine(s: ContainerUpdateStatus): Html {
  switch (s.kind) {
    case 'update':
      return html`⬆️ Update available: ${shortId(s.localDigest.replace(/^sha256:/, ''))} → ${shortId(s.remoteDigest.replace(/^sha256:/, ''))}`;
    case 'up-to-date':
      return html`✅ Up to date`;
    case 'untagged':
      return html`❔ Not run from a tag (an id or a digest): nothing to update`;
    case 'unknown':
      return html`❔ Cannot tell: ${clip(s.reason, 200)}`;
    case 'rate-limited':
      return html`⏳ The registry asks to wait ${s.retryAfterSec} s`;
    case 'error':
      return html`⚠️ Registry: ${clip(s.reason, 200)}`;
  }
}

/** Whether the Update button is offered: an update, not pinned, policy not never. */
export const canUpdate = (d: Pick<UpdateScreenData, 'status' | 'pinned' | 'policy'>): boolean =>
  d.status.kind === 'update' && d.pinned === undefined && d.policy !== 'never';

export function updateScreenView(d: UpdateScreenData): View {
  const c = d.container;
  const args = { host: d.host, id: c.id, page: d.page };
  const rows: InlineButton[][] = [];
  const first: InlineButton[] = [];
  if (canUpdate(d)) first.push(UPDATE.ask.button('⬆️ Update now', { ...args, op: 'update' }));
  if (d.rollback !== undefined)
    first.push(UPDATE.ask.button('↩️ Roll back', { ...args, op: 'rollback' }));
  if (first.length > 0) rows.push(first);
  rows.push([
    d.pinned === undefined
      ? UPDATE.pin.button('📌 Pin this version', { ...args, op: 'pin' })
      : UPDATE.pin.button('📍 Unpin', { ...args, op: 'unpin' }),
    UPDATE.screen.button('🔄 Check again', args),
  ]);
  rows.push(backToContainer(d, c, d.page));
  const pinned =
    d.pinned === undefined
      ? ''
      : html`\n📌 Pinned to ${shortId(d.pinned.digest.replace(/^sha256:/, ''))} since ${formatTime(d.pinned.at)}: no update is offered.`;
  const rollback =
    d.rollback === undefined
      ? ''
      : html`\n↩️ The previous image ${shortId(d.rollback.oldImageId)} is kept for a roll back until ${formatTime(d.rollback.until)}.`;
  const policy =
    d.policy === 'never'
      ? html`\nPolicy: ${UPDATE_LABEL}=never — this container is never updated from here.`
      : d.policy === 'auto'
        ? html`\nPolicy: ${UPDATE_LABEL}=auto — ${d.auto === true ? 'updated by tmbot itself during maintenance' : 'unattended updates are off in the config (docker.image_updates.auto); applied when an admin asks'}.`
        : html`\nPolicy: ${UPDATE_LABEL}=notify`;
  return {
    html: html`${hostLine(d.hostLabel)}⬆️ <b>Image update · ${clip(c.name, NAME_MAX)}</b>
Image: <code>${clip(c.image, 200)}</code> (running ${shortId(c.imageId)})
${statusLine(d.status)}${pinned}${rollback}${policy}`,
    keyboard: { kind: 'inline', rows },
  };
}

export function updateConfirmView(
  d: HostContext & {
    readonly container: ContainerDetails;
    readonly page: number;
    readonly op: UpdateOp;
    readonly timeoutMs: number;
    readonly rollbackImage?: string;
  },
): View {
  const c = d.container;
  const args = { host: d.host, id: c.id, page: d.page };
  const what =
    d.op === 'update'
      ? html`Pull the new <code>${clip(c.image, 200)}</code>, stop <b>${clip(c.name, NAME_MAX)}</b>, re-create it with the same configuration and start it.`
      : html`Stop <b>${clip(c.name, NAME_MAX)}</b> and re-create it with the same configuration on the previous image ${shortId(d.rollbackImage ?? '')} (tagged <code>${clip(c.image, 200)}</code> again).`;
  return {
    html: html`${hostLine(d.hostLabel)}⚠️ <b>Are you sure?</b>
${what}
It must be running${c.health !== 'none' ? ' and healthy' : ''} within ${Math.round(d.timeoutMs / 1000)} s; otherwise the old container comes back.`,
    keyboard: {
      kind: 'inline',
      rows: [
        [
          UPDATE.run.button(d.op === 'update' ? '✅ Yes, update' : '✅ Yes, roll back', {
            ...args,
            op: d.op,
          }),
          UPDATE.screen.button('✖️ Cancel', args),
        ],
      ],
    },
  };
}
