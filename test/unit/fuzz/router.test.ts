/**
 * Callback token resolution and the exact-text router under arbitrary strings: a token resolves
 * only when it was issued, to that user, and has not expired; everything else is refused; saved
 * token state of any shape loads without throwing; typed text runs the one route whose label it
 * equals after normalisation, never a route it merely contains.
 */
import fc from 'fast-check';
import { ManualClock } from '../../../src/clock';
import type { Feature } from '../../../src/features/feature';
import { silentLogger } from '../../support/silent-logger';
import { parseAuditLine } from '../../../src/security/audit-log';
import { deriveTotpSecret, verifyTotp } from '../../../src/security/totp';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { AutoDeleteScheduler } from '../../../src/telegram/auto-delete';
import { MAX_TEXT_ROUTE_LENGTH, normaliseLabel, parseCommand } from '../../../src/telegram/router';
import { fuzzParams, hostileId, hostileString, hostileText } from '../../support/fuzz';
import { MemoryStore } from '../../support/memory-store';
import { Pipeline } from '../../support/pipeline';

const TTL = 60_000;
const token12 = fc.stringMatching(/^[A-Za-z0-9_-]{12}$/);

describe('callback tokens', () => {
  it('resolve only for the issuing user, before expiry; anything else is refused', () => {
    const issue = fc.record({
      user: fc.constantFrom(1, 2, 3),
      action: hostileString,
      args: fc.array(hostileString, { maxLength: 3 }),
    });
    const press = fc.record({
      /** An index into the issued tokens, or forged data of any type. */
      data: fc.oneof(fc.nat({ max: 9 }), token12, hostileText, fc.anything({ maxDepth: 1 })),
      user: fc.oneof(fc.constantFrom(1, 2, 3), hostileId),
      advance: fc.constantFrom(0, 1, TTL - 1, TTL, TTL + 1),
    });
    fc.assert(
      fc.property(
        fc.array(issue, { minLength: 1, maxLength: 10 }),
        fc.array(press, { maxLength: 10 }),
        (issues, presses) => {
          const clock = new ManualClock();
          const store = new CallbackStore(clock, new MemoryStore(), {
            ttlMs: TTL,
            maxEntries: 1000,
            saveDelayMs: 60_000,
          });
          const issued = issues.map((i) => ({
            ...i,
            token: store.issue(i.user, i.action, i.args),
            at: clock.now(),
          }));
          for (const t of issued) expect(t.token).toMatch(/^[A-Za-z0-9_-]{12}$/);
          for (const p of presses) {
            clock.advance(p.advance);
            const data = typeof p.data === 'number' ? issued[p.data]?.token : p.data;
            const match = issued.filter((t) => t.token === data).at(-1);
            const result = store.resolve(data, p.user);
            if (match === undefined) {
              expect(result).toEqual({ ok: false, reason: 'unknown' });
            } else if (result.ok) {
              // Same (user, action, args) shares a token; what it resolves to is what was issued.
              expect(result.entry.userId).toBe(p.user);
              expect(p.user).toBe(match.user);
              expect(result.entry.action).toBe(match.action);
              expect(result.entry.args).toEqual(match.args);
              expect(clock.now()).toBeLessThan(match.at + TTL);
            } else {
              expect(['expired', 'foreign', 'unknown']).toContain(result.reason);
              if (result.reason === 'foreign') expect(p.user).not.toBe(match.user);
            }
          }
        },
      ),
      fuzzParams(1500),
    );
  });

  it('load saved state of any shape without throwing, keeping only valid entries', () => {
    const entry = fc.record({
      userId: fc.oneof(fc.integer(), fc.anything({ maxDepth: 0 })),
      action: fc.oneof(hostileString, fc.anything({ maxDepth: 0 })),
      args: fc.oneof(fc.array(fc.oneof(hostileString, fc.integer())), fc.anything({ maxDepth: 1 })),
      expiresAt: fc.oneof(fc.integer({ min: 0, max: 2 * TTL }), fc.anything({ maxDepth: 0 })),
    });
    const saved = fc.oneof(
      fc.record({
        v: fc.constant(1),
        entries: fc.array(
          fc.oneof(
            fc.tuple(token12, entry),
            fc.tuple(hostileString, entry),
            fc.anything({ maxDepth: 2 }),
          ),
        ),
      }),
      fc.anything({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(saved, fc.integer({ min: -5, max: 5 }), (state, user) => {
        const memory = new MemoryStore();
        memory.files.set('callbacks.json', JSON.stringify(state) ?? 'null');
        const clock = new ManualClock();
        const store = new CallbackStore(clock, memory, { ttlMs: TTL, maxEntries: 1000 });
        store.load();
        const entries = (state as { entries?: unknown } | null)?.entries;
        for (const pair of Array.isArray(entries) ? entries : []) {
          const token: unknown = Array.isArray(pair) ? pair[0] : undefined;
          const r = store.resolve(token, user);
          if (r.ok) {
            expect(typeof r.entry.action).toBe('string');
            expect(r.entry.args.every((a) => typeof a === 'string')).toBe(true);
            expect(r.entry.expiresAt).toBeGreaterThan(clock.now());
          }
        }
      }),
      fuzzParams(800),
    );
  });
});

describe('other saved state', () => {
  it('access blocks and the auto-delete schedule load from files of any shape', () => {
    const stranger = fc.record({
      attempts: fc.oneof(fc.nat(), fc.anything({ maxDepth: 0 })),
      blockedUntil: fc.oneof(fc.nat(), fc.double(), fc.anything({ maxDepth: 0 })),
      lastAlertAt: fc.oneof(fc.nat(), fc.anything({ maxDepth: 0 })),
      lastSeenAt: fc.nat(),
    });
    const access = fc.oneof(
      fc.record({
        v: fc.constant(1),
        strangers: fc.dictionary(fc.oneof(hostileString, fc.nat().map(String)), stranger),
      }),
      fc.record({ v: fc.constant(1), strangers: fc.anything({ maxDepth: 2 }) }),
      fc.anything({ maxDepth: 3 }),
    );
    const pending = fc.oneof(
      fc.record({
        v: fc.constant(1),
        pending: fc.array(
          fc.oneof(
            fc.record({ chatId: hostileId, messageId: hostileId, at: fc.double() }),
            fc.anything({ maxDepth: 1 }),
          ),
        ),
      }),
      fc.anything({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(access, pending, (a, d) => {
        const memory = new MemoryStore();
        memory.files.set('access.json', JSON.stringify(a) ?? 'null');
        memory.files.set('auto-delete.json', JSON.stringify(d) ?? 'null');
        const p = new Pipeline({ userIds: [1] }, [], memory);
        for (const id of [1, 2, 0, -1]) expect(typeof p.access.isBlocked(id)).toBe('boolean');
        expect(p.access.isAllowed(1)).toBe(true);
        const scheduler = new AutoDeleteScheduler(
          () => Promise.resolve(true),
          new ManualClock(),
          memory,
          silentLogger,
        );
        scheduler.start();
        scheduler.stop();
        expect(scheduler.size).toBeGreaterThanOrEqual(0);
      }),
      fuzzParams(500),
    );
  });
});

describe('audit log lines', () => {
  it('parse back to a well-typed record or nothing', () => {
    const line = fc.oneof(
      hostileText,
      fc.anything({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
      fc
        .record(
          {
            time: fc.oneof(hostileString, fc.anything({ maxDepth: 0 })),
            userId: fc.oneof(hostileId, fc.anything({ maxDepth: 0 })),
            action: fc.oneof(hostileString, fc.anything({ maxDepth: 0 })),
            outcome: fc.oneof(
              fc.constantFrom('ok', 'failed', 'denied', 'prompted', 'blocked'),
              hostileString,
            ),
            target: fc.oneof(hostileString, fc.anything({ maxDepth: 1 })),
            detail: fc.oneof(hostileString, fc.anything({ maxDepth: 1 })),
          },
          { requiredKeys: [] },
        )
        .map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(line, (text) => {
        const r = parseAuditLine(text);
        if (r === undefined) return;
        expect(typeof r.time).toBe('string');
        expect(Number.isSafeInteger(r.userId)).toBe(true);
        expect(typeof r.action).toBe('string');
        expect(['ok', 'failed', 'denied', 'prompted', 'blocked']).toContain(r.outcome);
        if (r.target !== undefined) expect(typeof r.target).toBe('string');
        if (r.detail !== undefined) expect(typeof r.detail).toBe('string');
      }),
      fuzzParams(800),
    );
  });
});

describe('TOTP code checks', () => {
  it('never throw, and accept only six ASCII digits', () => {
    const secret = deriveTotpSecret('fuzz-salt-0123456789abcdefghij', 1001, 0);
    fc.assert(
      fc.property(
        fc.oneof(hostileString, fc.stringMatching(/^\d{6}$/)),
        fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.double()),
        fc.option(fc.oneof(fc.integer({ min: -5, max: 2e11 }), fc.double()), { nil: undefined }),
        (code, now, after) => {
          const r = verifyTotp(secret, code, now, after);
          if (r.valid) expect(code).toMatch(/^[0-9]{6}$/);
        },
      ),
      fuzzParams(800),
    );
  });
});

describe('exact-text router', () => {
  const LABELS = ['🚀 Server', '⚙️ CPU', '⚙️ CPU usage', '🐳 Docker', '🔐 2FA', 'Über', 'İstanbul'];

  it('runs the route whose label equals the text after normalisation, or the fallback', async () => {
    const text = fc.oneof(
      fc.constantFrom(...LABELS),
      fc.constantFrom(...LABELS).chain((l) =>
        fc.oneof(
          hostileString.map((a) => a + l),
          hostileString.map((b) => l + b),
          fc.constantFrom(
            l.toUpperCase(),
            l.toLowerCase(),
            ` ${l} `,
            l.replace(' ', '  '),
            l.replace(/^\S+ /, ''),
          ),
        ),
      ),
      hostileText,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 5 }), async (texts) => {
        const ran: string[] = [];
        const probe: Feature = {
          name: 'probe',
          install(router) {
            for (const l of LABELS) router.button(l, async () => void ran.push(l));
          },
        };
        const p = new Pipeline({ userIds: [1] }, [probe]);
        for (const t of texts) {
          const before = ran.length;
          p.clock.advance(10_001); // stay under the rate limit
          await p.text(1, t);
          const key = normaliseLabel(t);
          const expected =
            t.length > MAX_TEXT_ROUTE_LENGTH || t.startsWith('/')
              ? undefined
              : LABELS.find((l) => normaliseLabel(l) === key);
          if (t.startsWith('/') && expected === undefined) continue;
          expect(ran.slice(before)).toEqual(expected === undefined ? [] : [expected]);
          if (expected === undefined) expect(p.sender.sent.at(-1)?.text).toBe('unknown');
        }
      }),
      fuzzParams(700),
    );
  }, 60_000);

  it('parseCommand accepts only /name[@bot] [args], names lower-cased and bounded', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileText,
          hostileString.map((s) => `/${s}`),
          fc.constantFrom('/start@tmbot_test_bot x', '/a@other_bot'),
        ),
        (text) => {
          const cmd = parseCommand(text, 'tmbot_test_bot');
          if (cmd === undefined) return;
          expect(cmd.name).toMatch(/^[a-z0-9_]{1,32}$/);
          expect(text.trim().toLowerCase().startsWith(`/${cmd.name}`)).toBe(true);
          const mention = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(text.trim())?.[1];
          if (mention !== undefined) expect(mention.toLowerCase()).toBe('tmbot_test_bot');
          for (const a of cmd.args) expect(a).not.toMatch(/^\s*$/);
        },
      ),
      fuzzParams(1500),
    );
  });

  it('normaliseLabel is idempotent and never keeps leading symbols or edge spaces', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const n = normaliseLabel(text);
        expect(normaliseLabel(n)).toBe(n);
        expect(n).toBe(n.trim());
        expect(n).not.toMatch(/^[^\p{L}\p{N}]/u);
      }),
      fuzzParams(800),
    );
  });
});
