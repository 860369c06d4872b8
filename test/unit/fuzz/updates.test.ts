/**
 * Update handling through bot.handleUpdate with the daemon's real middleware chain (dedup →
 * access → rate limit → router) and the real menu feature, plus a privileged probe feature.
 * Arbitrary update shapes, odd fields, huge strings, unknown users and forged callback data:
 * nothing throws, unknown users get only the denial flow (or the public /getmyid card), alerts go
 * only to the admin chat, privileged routes run only for allowed users, and a callback token runs
 * only for the user it was issued to.
 */
import fc from 'fast-check';
import type { Update } from 'telegraf/types';
import type { Feature } from '../../../src/features/feature';
import { menuFeature } from '../../../src/features/menu';
import { silentLogger } from '../../../src/log/logger';
import { Dispatcher } from '../../../src/telegram/dispatcher';
import { isWellFormedUpdate } from '../../../src/telegram/update-shape';
import { html } from '../../../src/views/html';
import { fuzzParams, hostileId, hostileString, hostileText } from '../../support/fuzz';
import { Pipeline } from '../../support/pipeline';
import { checkView } from '../../support/telegram-rules';

const ADMIN = 1001;
const USER = 1002;
const STRANGER = 666;
const ADMIN_CHAT = -100777;
const ALLOWED = new Set([ADMIN, USER]);

/** What the privileged probe saw run, by whom. */
interface Ran {
  route: string;
  user: number;
  args: readonly string[];
}

/** A feature whose routes stand for privileged work (container restart, 2FA reset...). */
function vault(ran: Ran[]): Feature {
  return {
    name: 'vault',
    install(router) {
      router.command('vault', async (req, args) => {
        ran.push({ route: 'command', user: req.user.id, args });
        await req.reply({
          html: html`🔐 <b>Vault</b> ${args.join(' ')}`,
          keyboard: { kind: 'inline', rows: [[{ text: 'Open', action: 'vault.open', args }]] },
        });
      });
      router.button('🔐 Vault', async (req) => {
        ran.push({ route: 'button', user: req.user.id, args: [] });
        await req.reply({ html: html`🔐 opened` });
      });
      router.action('vault.open', async (req, args) => {
        ran.push({ route: 'action', user: req.user.id, args });
        await req.show({ html: html`🔓 ${args.join(' ')}` });
      });
      router.text(/^\d{6}$/, async (req, [code]) => {
        ran.push({ route: 'code', user: req.user.id, args: [code ?? ''] });
        await req.toast();
      });
    },
  };
}

const someone = fc.oneof(fc.constantFrom(ADMIN, USER, STRANGER, STRANGER + 1), hostileId);

const routedText = fc.oneof(
  fc.constantFrom(
    '/start',
    '/help',
    '/getmyid',
    '/getmyid@tmbot_test_bot',
    '/vault',
    '/vault a b',
    '/VAULT@tmbot_test_bot',
    '/vault@other_bot',
    '🔐 Vault',
    'vault',
    ' VAULT ',
    '🍭 Plugins',
    '⬅️ Back to main menu',
    '123456',
    '/123456',
  ),
  hostileText,
);

/** Who sends what, where: a well-formed update the generator later mangles or not. */
const event = fc.oneof(
  fc.record({
    kind: fc.constant('text' as const),
    from: someone,
    group: fc.option(hostileId, { nil: undefined }),
    text: routedText,
    firstName: hostileText,
    username: fc.option(hostileString, { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('press' as const),
    from: someone,
    /** An index into the tokens issued at set-up, or forged data. */
    data: fc.oneof(
      fc.nat({ max: 5 }),
      hostileText,
      fc.stringMatching(/^[A-Za-z0-9_-]{12}$/),
      fc.constantFrom('__get_logs__:open:nginx:11', 'vault.open', '{"action":"vault.open"}', ''),
    ),
  }),
);

/** Paths where a mangled field goes; the value is anything JSON can carry. */
const MANGLE_PATHS = [
  ['message'],
  ['message', 'from'],
  ['message', 'from', 'id'],
  ['message', 'from', 'is_bot'],
  ['message', 'from', 'first_name'],
  ['message', 'chat'],
  ['message', 'chat', 'id'],
  ['message', 'chat', 'type'],
  ['message', 'text'],
  ['message', 'entities'],
  ['message', 'message_id'],
  ['update_id'],
  ['callback_query'],
  ['callback_query', 'from'],
  ['callback_query', 'from', 'id'],
  ['callback_query', 'data'],
  ['callback_query', 'message'],
  ['callback_query', 'message', 'chat'],
  ['callback_query', 'id'],
  ['edited_message'],
  ['channel_post'],
  ['my_chat_member'],
  ['inline_query'],
] as const;

const mangle = fc.option(
  fc.record({
    path: fc.constantFrom(...MANGLE_PATHS),
    value: fc.oneof(
      fc.anything({ maxDepth: 2 }),
      hostileText,
      hostileId,
      fc.constant(undefined),
      fc.constant(null),
    ),
  }),
  { nil: undefined, freq: 3 },
);

const scenario = fc.array(
  fc.record({ event, mangle, advanceMs: fc.constantFrom(0, 0, 999, 10_001, 3_600_001) }),
  { minLength: 1, maxLength: 8 },
);

type Event = typeof event extends fc.Arbitrary<infer E> ? E : never;

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) {
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const DENIAL = /^(⛔ You don't have access to this bot|🚫 Access blocked|Access denied\.)/;
/** The denial flow plus the public /getmyid card. */
const STRANGER_MAY_SEE = /^(⛔ You don't have access to this bot|🚫 Access blocked|🪪 Your Telegram ids)/;

describe('update handling under hostile updates', () => {
  it('never throws, denies strangers, runs privileged routes only for their owners', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (steps) => {
        const ran: Ran[] = [];
        const p = new Pipeline(
          { userIds: [ADMIN, USER], adminIds: [ADMIN], adminChatIds: [ADMIN_CHAT] },
          [
            menuFeature({
              isAllowed: (id) => ALLOWED.has(id),
              getMyIdDeleteMs: 30_000,
              plugins: [],
            }),
            vault(ran),
          ],
        );
        const tokens = [
          { token: p.callbacks.issue(ADMIN, 'vault.open', ['admin-only']), owner: ADMIN },
          { token: p.callbacks.issue(USER, 'vault.open', ['user']), owner: USER },
          { token: p.callbacks.issue(ADMIN, 'menu.delete'), owner: ADMIN },
        ];
        let updateId = 1;
        for (const step of steps) {
          p.clock.advance(step.advanceMs);
          const { update, data } = build(step.event, updateId++, tokens);
          if (step.mangle !== undefined) setPath(update, step.mangle.path, step.mangle.value);
          const before = {
            sent: p.sender.sent.length,
            answers: p.sender.answers.length,
            ran: ran.length,
          };

          await p.raw(update);

          expect(p.dispatchErrors).toEqual([]);
          const from = fromOf(update);
          const sent = p.sender.sent.slice(before.sent);
          const answers = p.sender.answers.slice(before.answers);
          const newRuns = ran.slice(before.ran);
          for (const s of sent) checkView(s.view);
          if (from === undefined || !ALLOWED.has(from)) {
            // Only the denial flow, the public /getmyid card, and the alert to the admin chat.
            for (const s of sent) {
              if (s.chatId === ADMIN_CHAT)
                expect(s.text).toMatch(/^(⚠️ Unauthorized access attempt|ℹ️ Setup command)/);
              else expect(s.text).toMatch(STRANGER_MAY_SEE);
            }
            for (const a of answers) expect(a.text ?? '').toMatch(DENIAL);
            expect(newRuns).toEqual([]);
          }
          for (const r of newRuns) {
            expect(ALLOWED.has(r.user)).toBe(true);
            if (r.route === 'action') {
              // A button runs only for the user its token was issued to, with the args bound to it.
              const issued = tokens.find((t) => t.token === data);
              expect(issued?.owner).toBe(r.user);
            }
          }
        }
      }),
      fuzzParams(1500),
    );
  }, 90_000);

  it('the dispatcher drops malformed values, hands well-formed updates on, and survives failing handlers', async () => {
    const wellFormed = fc.record({
      update_id: fc.nat(),
      message: fc.record({
        message_id: fc.nat(),
        date: fc.nat(),
        from: fc.record({ id: fc.nat(), is_bot: fc.boolean(), first_name: hostileString }),
        chat: fc.record({ id: fc.integer(), type: fc.constantFrom('private', 'group') }),
        text: hostileString,
      }),
    });
    const value = fc.oneof(
      fc.record({ ok: fc.constant(true), update: wellFormed }),
      fc.record({ ok: fc.constant(false), update: fc.anything({ maxDepth: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 6 }), async (values) => {
        const handled: unknown[] = [];
        const d = new Dispatcher((u) => {
          handled.push(u);
          return Promise.reject(new Error('handler failed'));
        }, silentLogger);
        for (const v of values) await d.enqueue(v.update as Update);
        expect(await d.drain(5_000)).toBe(true);
        const expected = values
          .filter((v) => v.ok || isWellFormedUpdate(v.update))
          .map((v) => v.update);
        expect(handled).toEqual(expected);
      }),
      fuzzParams(500),
    );
  }, 60_000);
});

/** The sender's user id when it is a plain number, as access control sees it. */
function fromOf(update: Record<string, unknown>): number | undefined {
  for (const key of [
    'message',
    'callback_query',
    'edited_message',
    'channel_post',
    'my_chat_member',
    'inline_query',
  ]) {
    const body = update[key];
    if (typeof body === 'object' && body !== null) {
      const from = (body as { from?: unknown }).from;
      if (typeof from === 'object' && from !== null) {
        const id = (from as { id?: unknown }).id;
        return typeof id === 'number' ? id : undefined;
      }
      return undefined;
    }
  }
  return undefined;
}

function build(
  e: Event,
  updateId: number,
  tokens: readonly { token: string }[],
): { update: Record<string, unknown>; data: unknown } {
  const date = 1_700_000_000;
  if (e.kind === 'text') {
    const from = {
      id: e.from,
      is_bot: false,
      first_name: e.firstName,
      ...(e.username !== undefined ? { username: e.username } : {}),
    };
    const chat =
      e.group !== undefined
        ? { id: e.group, type: 'supergroup', title: 'g' }
        : { id: e.from, type: 'private', first_name: e.firstName };
    const entities = e.text.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: e.text.split(' ')[0]!.length }]
      : undefined;
    return {
      update: {
        update_id: updateId,
        message: {
          message_id: updateId,
          date,
          from,
          chat,
          text: e.text,
          ...(entities ? { entities } : {}),
        },
      },
      data: undefined,
    };
  }
  const data = typeof e.data === 'number' ? (tokens[e.data]?.token ?? 'gone') : e.data;
  return {
    update: {
      update_id: updateId,
      callback_query: {
        id: `cq${updateId}`,
        from: { id: e.from, is_bot: false, first_name: 'P' },
        chat_instance: 'ci',
        data,
        message: {
          message_id: 1,
          date,
          chat: { id: e.from, type: 'private', first_name: 'P' },
          text: 'screen',
        },
      },
    },
    data,
  };
}
