import type { StackGroups } from '../adapters/docker/compose';
import type { ContainerState, HealthStatus } from '../adapters/docker/port';
import { defineAction, field } from '../telegram/actions';
import { DOCKER } from './docker-actions';
import type { HostContext } from './docker-containers';
import { fitSections, healthText, hostLine, pageLabel, pageOf, stateBadge } from './docker-format';
import { clip, html, joinHtml } from './html';
import type { InlineButton, View } from './view';

/** What a stack action does to every service of the stack. */
export const STACK_OPS = ['start', 'stop', 'restart'] as const;
export type StackOp = (typeof STACK_OPS)[number];

/** Stacks per list page. */
export const STACKS_PER_PAGE = 8;

/**
 * Compose project names as compose itself makes them (lower case, digits, `_`, `-`)
 * plus `.` and capitals for hand-set labels; a stack named otherwise is listed
 * without a button.
 */
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;

const host = field.int(0, 99);
const page = field.int(0, 999_999_999);
const project = field.text(PROJECT);
const op = field.oneOf(STACK_OPS);

/** The typed actions of the stack screens. `page` is the stack list page to go back to. */
export const STACKS = {
  list: defineAction('docker.stacks', { host, page }),
  stack: defineAction('docker.stack', { host, project, page }),
  /** "Are you sure?" before `op`. */
  confirm: defineAction('docker.stk_ask', { host, project, page, op }),
  perform: defineAction('docker.stk_do', { host, project, page, op }),
} as const;

/** Whether a stack's name can travel on a button. */
export const isButtonProject = (name: string): boolean => PROJECT.test(name);

const OP_LABEL: Record<StackOp, string> = {
  start: '🌟 Start stack',
  stop: '⛔ Stop stack',
  restart: '♻️ Restart stack',
};

const NAME_MAX = 48;

export interface StackListData extends HostContext {
  readonly groups: StackGroups;
  readonly page: number;
}

/** Compose stacks of a host and the count of standalone containers. */
export function stackListView(d: StackListData): View {
  const { stacks, standalone } = d.groups;
  const { page, pages, shown } = pageOf(stacks, d.page, STACKS_PER_PAGE);
  const entries = shown.map((s) => {
    const running = s.containers.filter((c) => c.state === 'running').length;
    const badge = running === s.containers.length ? '🟢' : running === 0 ? '🔴' : '🟡';
    return html`${badge} <b>${clip(s.project, NAME_MAX)}</b> · ${running}/${s.containers.length} running`;
  });
  const rows: InlineButton[][] = shown
    .filter((s) => isButtonProject(s.project))
    .map((s) => [
      STACKS.stack.button(`🧱 ${clip(s.project, NAME_MAX)}`, {
        host: d.host,
        project: s.project,
        page,
      }),
    ]);
  if (pages > 1) {
    const nav: InlineButton[] = [];
    if (page > 0) nav.push(STACKS.list.button('⬅️ Prev', { host: d.host, page: page - 1 }));
    if (page < pages - 1) nav.push(STACKS.list.button('Next ➡️', { host: d.host, page: page + 1 }));
    rows.push(nav);
  }
  rows.push([
    STACKS.list.button('🔄 Refresh', { host: d.host, page }),
    DOCKER.containers.button('📦 Containers', { host: d.host, page: 0 }),
  ]);
  const body =
    stacks.length === 0
      ? html`No compose stacks on this host.`
      : html`${joinHtml(entries, '\n')}${pages > 1 ? html`\n${pageLabel(page, pages)}` : ''}`;
  return {
    html: html`${hostLine(d.hostLabel)}🧱 <b>Stacks</b> · ${stacks.length} compose project${stacks.length === 1 ? '' : 's'}

${body}

📦 Standalone: ${standalone.length} container${standalone.length === 1 ? '' : 's'}`,
    keyboard: { kind: 'inline', rows },
  };
}

/** One service of a stack as the stack screen shows it. */
export interface StackService {
  readonly service: string;
  readonly name: string;
  readonly state: ContainerState;
  readonly health: HealthStatus;
  readonly image: string;
  /** Undefined when the container could not be inspected. */
  readonly restarts: number | undefined;
  readonly dependsOn: readonly string[];
}

export interface StackData extends HostContext {
  readonly project: string;
  /** In start order. */
  readonly services: readonly StackService[];
  readonly page: number;
  readonly isAdmin: boolean;
}

function serviceLines(s: StackService): string | ReturnType<typeof html> {
  const health = healthText(s.health);
  const deps =
    s.dependsOn.length > 0
      ? html`\n   needs ${clip(s.dependsOn.map((x) => clip(x, 32)).join(', '), 120)}`
      : '';
  return html`${stateBadge(s.state)} <b>${clip(s.service, NAME_MAX)}</b> · ${s.state}${health ? html` · ${health}` : ''}
   <code>${clip(s.name, 64)}</code> · ${clip(s.image, 60)}
   restarts: ${s.restarts ?? '?'}${deps}`;
}

/** A stack's services in start order with state, health, image and restarts; admin actions. */
export function stackView(d: StackData): View {
  const back = [
    STACKS.stack.button('🔄 Refresh', { host: d.host, project: d.project, page: d.page }),
    STACKS.list.button('⬅️ Stacks', { host: d.host, page: d.page }),
  ];
  const rows: InlineButton[][] = [];
  if (d.isAdmin && d.services.length > 0) {
    rows.push(
      STACK_OPS.map((o) =>
        STACKS.confirm.button(OP_LABEL[o], {
          host: d.host,
          project: d.project,
          page: d.page,
          op: o,
        }),
      ),
    );
  }
  rows.push(back);
  const head = html`${hostLine(d.hostLabel)}🧱 <b>Stack ${clip(d.project, NAME_MAX)}</b> · ${d.services.length} service${d.services.length === 1 ? '' : 's'} (start order)`;
  const body =
    d.services.length === 0
      ? [html`This stack has no containers any more.`]
      : d.services.map(serviceLines);
  return { html: fitSections([head, ...body]), keyboard: { kind: 'inline', rows } };
}

export interface StackConfirmData extends HostContext {
  readonly project: string;
  readonly op: StackOp;
  /** Service names in the order the action will take them. */
  readonly order: readonly string[];
  readonly page: number;
}

/** The order an action takes: start order, reversed for stop. */
export function stackConfirmView(d: StackConfirmData): View {
  const args = { host: d.host, project: d.project, page: d.page };
  return {
    html: html`${hostLine(d.hostLabel)}❓ <b>${d.op} the whole stack ${clip(d.project, NAME_MAX)}?</b>

Order: ${clip(d.order.map((s) => clip(s, 32)).join(' → '), 1500)}`,
    keyboard: {
      kind: 'inline',
      rows: [
        [
          STACKS.perform.button(`✅ Yes, ${d.op}`, { ...args, op: d.op }),
          STACKS.stack.button('✖️ Cancel', args),
        ],
      ],
    },
  };
}

export type StepStatus = 'waiting' | 'working' | 'done' | 'failed';

/** One service's progress through a stack action. */
export interface StackStep {
  readonly service: string;
  readonly status: StepStatus;
  /** The state read back, or why it failed. */
  readonly detail?: string;
}

export interface StackProgressData extends HostContext {
  readonly project: string;
  readonly op: StackOp;
  readonly steps: readonly StackStep[];
  readonly page: number;
  /** Set once every step has run (or one failed). */
  readonly tookMs?: number;
}

const STEP_BADGE: Record<StepStatus, string> = {
  waiting: '▫️',
  working: '⏳',
  done: '✅',
  failed: '❌',
};

/** Progress of a stack action, edited in place as each service moves. */
export function stackProgressView(d: StackProgressData): View {
  const failed = d.steps.some((s) => s.status === 'failed');
  const finished = d.tookMs !== undefined;
  const title = finished
    ? failed
      ? html`⚠️ <b>${d.op} of stack ${clip(d.project, NAME_MAX)} stopped at a failure</b>`
      : html`✅ <b>Stack ${clip(d.project, NAME_MAX)}: ${d.op} done</b> in ${((d.tookMs ?? 0) / 1000).toFixed(1)} s`
    : html`⏳ <b>${d.op} of stack ${clip(d.project, NAME_MAX)}…</b>`;
  const lines = d.steps.map(
    (s) =>
      html`${STEP_BADGE[s.status]} ${clip(s.service, NAME_MAX)}${s.detail !== undefined ? html` · ${clip(s.detail, 200)}` : ''}`,
  );
  return {
    html: fitSections([html`${hostLine(d.hostLabel)}${title}`, joinHtml(lines, '\n')]),
    ...(finished
      ? {
          keyboard: {
            kind: 'inline',
            rows: [
              [
                STACKS.stack.button('🧱 Back to stack', {
                  host: d.host,
                  project: d.project,
                  page: d.page,
                }),
              ],
            ],
          },
        }
      : {}),
  };
}
