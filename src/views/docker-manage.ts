import type { ContainerAction, ContainerDetails, ContainerState } from '../adapters/docker/port';
import { DOCKER } from './docker-actions';
import { backToContainer, type HostContext } from './docker-containers';
import { healthText, hostLine, stateBadge } from './docker-format';
import { clip, html } from './html';
import type { InlineButton, View } from './view';

/** Actions that ask "Are you sure?" first. */
export const DESTRUCTIVE: ReadonlySet<ContainerAction> = new Set([
  'stop',
  'kill',
  'remove',
  'restart',
]);

const LABEL: Record<ContainerAction, string> = {
  start: '🌟 Start',
  stop: '⛔ Stop',
  restart: '♻️ Restart',
  pause: '⏸ Pause',
  unpause: '▶️ Unpause',
  kill: '💀 Kill',
  remove: '🗑 Remove',
};

const VERB: Record<ContainerAction, string> = {
  start: 'start',
  stop: 'stop',
  restart: 'restart',
  pause: 'pause',
  unpause: 'unpause',
  kill: 'kill',
  remove: 'remove',
};

/** What the engine accepts in each state (checked on a 20.10 engine); remove only once stopped. */
export function actionsFor(state: ContainerState): ContainerAction[] {
  switch (state) {
    case 'running':
      return ['stop', 'restart', 'pause', 'kill'];
    case 'paused':
      return ['unpause', 'stop', 'kill'];
    case 'restarting':
      return ['stop', 'kill'];
    case 'exited':
    case 'created':
    case 'dead':
      return ['start', 'remove'];
    default:
      return [];
  }
}

export interface ManageData extends HostContext {
  readonly container: ContainerDetails;
  readonly page: number;
}

function stateLine(c: ContainerDetails): string {
  const health = healthText(c.health);
  return `${stateBadge(c.state)} ${c.state}${health ? ` · ${health}` : ''}${c.state === 'exited' ? ` (exit code ${c.exitCode})` : ''}`;
}

export function manageView(d: ManageData): View {
  const c = d.container;
  const actions = actionsFor(c.state);
  const buttons: InlineButton[] = actions.map((op) =>
    (DESTRUCTIVE.has(op) ? DOCKER.confirm : DOCKER.perform).button(LABEL[op], {
      host: d.host,
      id: c.id,
      page: d.page,
      op,
    }),
  );
  const rows: InlineButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  rows.push(backToContainer(d, c, d.page));
  return {
    html: html`${hostLine(d.hostLabel)}🎯 <b>Manage ${clip(c.name, 64)}</b>
State: ${stateLine(c)}

${actions.length > 0 ? 'Pick an action. Stop, kill, restart and remove ask for confirmation.' : 'No action fits this state right now; refresh in a moment.'}`,
    keyboard: { kind: 'inline', rows },
  };
}

export function confirmView(d: ManageData & { readonly action: ContainerAction }): View {
  const c = d.container;
  const args = { host: d.host, id: c.id, page: d.page };
  const warning =
    d.action === 'remove'
      ? '\nThe container and its anonymous volumes are deleted; this cannot be undone.'
      : '';
  return {
    html: html`${hostLine(d.hostLabel)}⚠️ <b>Are you sure?</b>
${VERB[d.action]} <b>${clip(c.name, 64)}</b> (now ${c.state})${warning}`,
    keyboard: {
      kind: 'inline',
      rows: [
        [
          DOCKER.perform.button(`✅ Yes, ${VERB[d.action]}`, { ...args, op: d.action }),
          DOCKER.manage.button('✖️ Cancel', args),
        ],
      ],
    },
  };
}

export interface ActionResultData extends HostContext {
  readonly name: string;
  readonly id: string;
  readonly page: number;
  readonly action: ContainerAction;
  /** The state read back from the engine; undefined when the container is gone. */
  readonly after: ContainerDetails | undefined;
  readonly tookMs: number;
}

export function actionResultView(d: ActionResultData): View {
  const state =
    d.after === undefined ? 'gone (the engine no longer has this container)' : stateLine(d.after);
  const rows: InlineButton[][] =
    d.after === undefined
      ? [[DOCKER.containers.button('📦 All containers', { host: d.host, page: d.page })]]
      : [
          [DOCKER.manage.button('🎯 Manage', { host: d.host, id: d.id, page: d.page })],
          backToContainer(d, { id: d.id, name: d.name }, d.page),
        ];
  return {
    html: html`${hostLine(d.hostLabel)}✅ <b>${VERB[d.action]}</b> ${clip(d.name, 64)}: done in ${(d.tookMs / 1000).toFixed(1)} s
State read back from the engine: ${state}`,
    keyboard: { kind: 'inline', rows },
  };
}

/** Toasts of the manage flow. */
export const MANAGE_TOAST = {
  working: (action: ContainerAction): string => `Working: ${action}…`,
  busy: 'An action on this container is still running.',
  wrongState: (action: ContainerAction, state: string): string =>
    `Cannot ${action} it while it is ${state}.`,
} as const;
