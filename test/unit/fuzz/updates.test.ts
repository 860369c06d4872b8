/**
 * Update handling through bot.handleUpdate with the daemon's real middleware chain (dedup →
 * access → rate limit → router) and the real menu feature, plus a privileged probe feature.
 * Arbitrary update shapes, odd fields, huge strings, unknown users and forged callback data:
 * nothing throws, unknown users get only the denial flow (or the public /getmyid card), alerts go
 * only to the admin chat, privileged routes run only for allowed users, and a callback token runs
 * only for the user it was issued to.
 */
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSync } from '@otplib/totp';
import fc from 'fast-check';
import type { Update } from 'telegraf/types';
import { systemClock, type Clock } from '../../../src/clock';
import { authFeature } from '../../../src/features/auth';
import type { Feature } from '../../../src/features/feature';
import { menuFeature } from '../../../src/features/menu';
import { silentLogger } from '../../support/silent-logger';
import { JsonlAuditLog } from '../../../src/security/audit-log';
import type { PrivilegedAction } from '../../../src/security/second-factor';
import { deriveTotpSecret } from '../../../src/security/totp';
import { TwoFactorGuard } from '../../../src/features/two-factor-guard';
import { TwoFactorSessions } from '../../../src/security/two-factor-sessions';
import { Dispatcher } from '../../../src/telegram/dispatcher';
import type { Req } from '../../../src/telegram/request';
import { malformedUpdate } from '../../../src/telegram/update-shape';
import { html } from '../../../src/views/html';
import { fuzzParams, hostileId, hostileString, hostileText } from '../../support/fuzz';
import { MemoryStore } from '../../support/memory-store';
import { Pipeline } from '../../support/pipeline';
import { parseHtml } from '../../../src/demo/bot-api/html';
import { checkView } from '../../support/telegram-rules';
import { rawAction } from '../../support/raw-action';

const ADMIN = 1001;
const USER = 1002;
const STRANGER = 666;
const ADMIN_CHAT = -100777;
const ALLOWED = new Set([ADMIN, USER]);

/** What the probe saw run, by whom. */
interface Ran {
  route: string;
  user: number;
  args: readonly string[];
  at: number;
}

const SALT = 'fuzz-salt-0123456789abcdefghijklmnopqrstuvwxyz';
const crypto = new NodeCryptoPlugin();

/** The admin's currently valid TOTP code at `nowMs` (what their authenticator app shows). */
const validCode = (nowMs: number): string =>
  generateSync({
    secret: deriveTotpSecret(SALT, ADMIN, 0),
    crypto,
    epoch: Math.floor(nowMs / 1000),
  });

const VAULT_OPEN = rawAction('vault.open');

const openVault = (args: readonly string[]): PrivilegedAction => ({
  label: `open vault ${args.join(' ')}`,
  ...VAULT_OPEN.call(args),
  audit: 'vault.open',
  target: args.join('/'),
  destructive: true,
});

/**
 * A feature whose routes stand for privileged work (container restart, exec...): the command and
 * the button action run only through the real 2FA guard; the reply button is an allowed-user route.
 */
function vault(ran: Ran[], guard: TwoFactorGuard, clock: Clock): Feature {
  const open = async (req: Req, args: readonly string[]): Promise<void> => {
    await guard.requireSecondFactor(req, openVault(args), async () => {
      ran.push({ route: 'privileged', user: req.user.id, args, at: clock.now() });
      await req.show({ html: html`🔓 ${args.join(' ')}` });
    });
  };
  return {
    name: 'vault',
    install(router) {
      router.command('vault', async (req, args) => {
        await req.reply({
          html: html`🔐 <b>Vault</b> ${args.join(' ')}`,
          keyboard: { kind: 'inline', rows: [[VAULT_OPEN.button('Open', args)]] },
        });
        await open(req, args);
      });
      router.button('🔐 Vault', async (req) => {
        ran.push({ route: 'button', user: req.user.id, args: [], at: clock.now() });
        await req.reply({ html: html`🔐 vault menu` });
      });
      router.on(VAULT_OPEN, open);
    },
  };
}

/** Mostly the admin (so 2FA sessions and privileged routes get reached), then others. */
const someone = fc.oneof(
  { arbitrary: fc.constant(ADMIN), weight: 4 },
  { arbitrary: fc.constantFrom(USER, STRANGER, STRANGER + 1), weight: 3 },
  { arbitrary: hostileId, weight: 1 },
);

const routedText = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '/start',
      '/help',
      '/getmyid',
      '/getmyid@tmbot_test_bot',
      '/qrcode',
      '/audit',
      '/logout',
      '🖋️ Enter 2FA code',
      '🌓 Get QR-code for 2FA app',
      'VALID_CODE',
      '/VALID_CODE',
      '/VALID_CODE@tmbot_test_bot',
      '000000',
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
    weight: 3,
  },
  { arbitrary: fc.constantFrom('VALID_CODE', '/vault x', '/vault'), weight: 2 },
  { arbitrary: hostileText, weight: 2 },
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

type Event = typeof event extends fc.Arbitrary<infer E> ? E : never;
type Step = {
  event: Event;
  mangle: typeof mangle extends fc.Arbitrary<infer M> ? M : never;
  advanceMs: number;
};

/** Half the scenarios start with the admin sending a valid code, so privileged paths are exercised. */
const LOGIN: Step = {
  event: {
    kind: 'text',
    from: ADMIN,
    group: undefined,
    text: 'VALID_CODE',
    firstName: 'Ann',
    username: undefined,
  },
  mangle: undefined,
  advanceMs: 0,
};

const scenario = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.record({ event, mangle, advanceMs: fc.constantFrom(0, 0, 999, 10_001, 3_600_001) }),
      {
        minLength: 1,
        maxLength: 8,
      },
    ),
  )
  .map(([login, steps]): Step[] => (login ? [LOGIN, ...steps] : steps));

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
const STRANGER_MAY_SEE =
  /^(⛔ You don't have access to this bot|🚫 Access blocked|🪪 Your Telegram ids)/;

describe('update handling under hostile updates', () => {
  it('never throws, denies strangers, runs privileged routes only for their owners', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (steps) => {
        const ran: Ran[] = [];
        const store = new MemoryStore();
        // The pipeline's clock is created with it; the 2FA parts read it through this indirection.
        const made: { pipeline?: Pipeline } = {};
        const clock: Clock = { ...systemClock, now: () => made.pipeline?.clock.now() ?? 0 };
        const sessions = new TwoFactorSessions({ authSalt: SALT, store, clock, log: silentLogger });
        const audit = new JsonlAuditLog({ store, clock, log: silentLogger });
        const notices: string[] = [];
        const guard = new TwoFactorGuard({
          sessions,
          audit,
          notifier: { notify: (view) => Promise.resolve(void notices.push(view.html.value)) },
          clock,
          log: silentLogger,
        });
        const p = new Pipeline(
          { userIds: [ADMIN, USER], adminIds: [ADMIN], adminChatIds: [ADMIN_CHAT] },
          [
            menuFeature({
              isAllowed: (id) => ALLOWED.has(id),
              getMyIdDeleteMs: 30_000,
              plugins: [],
            }),
            authFeature({
              guard,
              sessions,
              audit,
              clock,
              renderQr: () => Promise.resolve(Buffer.from('png')),
              qrDeleteMs: 60_000,
              botUsername: () => 'tmbot_test_bot',
            }),
            vault(ran, guard, clock),
          ],
          store,
        );
        made.pipeline = p;
        const tokens = [
          { token: p.callbacks.issue(ADMIN, 'vault.open', ['admin-only']), owner: ADMIN },
          { token: p.callbacks.issue(USER, 'vault.open', ['user']), owner: USER },
          { token: p.callbacks.issue(ADMIN, 'menu.delete'), owner: ADMIN },
          { token: p.callbacks.issue(ADMIN, 'auth.audit'), owner: ADMIN },
        ];
        /** When the admin last sent the code their app showed. */
        let lastValidCodeAt: number | undefined;
        let updateId = 1;
        for (const step of steps) {
          p.clock.advance(step.advanceMs);
          const { update, data, text } = build(step.event, updateId++, tokens, p.clock.now());
          if (step.mangle !== undefined) setPath(update, step.mangle.path, step.mangle.value);
          const before = {
            sent: p.sender.sent.length,
            answers: p.sender.answers.length,
            ran: ran.length,
          };

          await p.raw(update);

          expect(p.dispatchErrors).toEqual([]);
          const from = fromOf(update);
          const window = [-30_000, 0, 30_000].map((d) => validCode(p.clock.now() + d));
          if (from === ADMIN && text !== undefined && window.some((c) => text.includes(c))) {
            lastValidCodeAt = p.clock.now();
          }
          const sent = p.sender.sent.slice(before.sent);
          const answers = p.sender.answers.slice(before.answers);
          const newRuns = ran.slice(before.ran);
          for (const s of sent) checkView(s.view);
          for (const n of notices) expect(() => parseHtml(n)).not.toThrow();
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
            if (r.route === 'privileged') {
              // Only the admin, inside a 2FA session opened by a code from their app.
              expect(r.user).toBe(ADMIN);
              expect(lastValidCodeAt).toBeDefined();
              expect(r.at - lastValidCodeAt!).toBeLessThan(sessions.limits.sessionMs);
              // From a button, only with a token issued to that user, args as bound.
              const issued = tokens.find((t) => t.token === data);
              if (data !== undefined) expect(issued?.owner).toBe(r.user);
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
        const d = new Dispatcher(
          (u) => {
            handled.push(u);
            return Promise.reject(new Error('handler failed'));
          },
          silentLogger,
          systemClock,
        );
        for (const v of values) await d.enqueue(v.update as Update);
        expect(await d.drain(5_000)).toBe(true);
        const expected = values
          .filter((v) => v.ok || malformedUpdate(v.update) === undefined)
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
  nowMs: number,
): { update: Record<string, unknown>; data: unknown; text: string | undefined } {
  const date = 1_700_000_000;
  if (e.kind === 'text') {
    const text = e.text.replace('VALID_CODE', validCode(nowMs));
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
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }]
      : undefined;
    return {
      update: {
        update_id: updateId,
        message: {
          message_id: updateId,
          date,
          from,
          chat,
          text,
          ...(entities ? { entities } : {}),
        },
      },
      data: undefined,
      text,
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
    text: undefined,
  };
}
