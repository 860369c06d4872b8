/**
 * Every view, fed hostile strings in every field (markup, entities, bidi marks, emoji, lone
 * surrogates, 100 000 characters), renders HTML Telegram accepts: only its tags, balanced,
 * text escaped, within the length limit; and hostile text never adds or removes markup.
 */
import fc from 'fast-check';
import { AUDIT_SHOWN } from '../../../src/features/auth';
import type { AuditRecord } from '../../../src/security/audit-log';
import type { PrivilegedAction } from '../../../src/security/second-factor';
import {
  adminOnlyView,
  alreadyAuthenticatedView,
  auditView,
  blockedView,
  codeAcceptedView,
  codePromptView,
  continueLabel,
  lockedView,
  lockoutNoticeView,
  loggedOutView,
  privilegedNoticeView,
  qrCaptionView,
  qrPrivateOnlyView,
  qrRefusedView,
  wrongCodeView,
} from '../../../src/views/auth';
import { HEALTH_LEVELS, type HealthSnapshot } from '../../../src/health/types';
import { healthView } from '../../../src/views/health';
import { clip, clipUnits, escapeHtml, html, joinHtml, visibleText } from '../../../src/views/html';
import {
  backToMainView,
  getMyIdView,
  pluginsView,
  unknownTextView,
  welcomeView,
  type IdCard,
} from '../../../src/views/menu';
import { TELEGRAM_LIMITS, type View } from '../../../src/views/view';
import { parseHtml } from '../../../src/demo/bot-api/html';
import { fuzzParams, hostileId, hostileString, hostileText } from '../../support/fuzz';
import { bland, checkView, skeleton } from '../../support/telegram-rules';
import { rawAction } from '../../support/raw-action';

/** A view renderer and an arbitrary for its input. */
interface ViewCase<T> {
  name: string;
  input: fc.Arbitrary<T>;
  render: (input: T) => View;
  runs: number;
  /** The view drops lines to fit the limit, so hostile input may only remove markup, never add it. */
  truncates?: boolean;
}

function viewCase<T>(c: ViewCase<T>): ViewCase<unknown> {
  return c as ViewCase<unknown>;
}

const idCard: fc.Arbitrary<IdCard> = fc.record(
  {
    userId: hostileId,
    firstName: hostileText,
    lastName: hostileText,
    username: hostileText,
    chatId: hostileId,
    chatType: fc.oneof(fc.constantFrom('private', 'group', 'supergroup', 'channel'), hostileString),
    chatTitle: hostileText,
    allowed: fc.boolean(),
    deleteAfterSeconds: fc.oneof(fc.nat(), fc.double()),
  },
  { requiredKeys: ['userId', 'firstName', 'chatId', 'chatType', 'allowed', 'deleteAfterSeconds'] },
);

/** Durations as views get them: real ones, zero, negative (clock skew) and absurd. */
const duration = fc.oneof(
  fc.integer({ min: -1e9, max: 1e10 }),
  fc.constantFrom(0, 1, 59_999, 600_000, Number.MAX_SAFE_INTEGER),
);

const privileged: fc.Arbitrary<PrivilegedAction> = fc
  .record(
    {
      label: hostileText,
      action: fc.constantFrom(rawAction('docker.restart'), rawAction('auth.audit')),
      args: fc.array(hostileText, { maxLength: 3 }),
      audit: hostileString,
      target: hostileText,
      destructive: fc.boolean(),
    },
    { requiredKeys: ['label', 'action', 'args', 'audit', 'target'] },
  )
  .map(({ action, args, ...rest }) => ({ ...rest, ...action.call(args) }));

const actor = fc.record({ id: hostileId, name: hostileText });

const auditRecord: fc.Arbitrary<AuditRecord> = fc.record(
  {
    time: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      hostileString,
    ),
    userId: hostileId,
    action: hostileText,
    outcome: fc.constantFrom(
      'ok' as const,
      'failed' as const,
      'denied' as const,
      'prompted' as const,
      'blocked' as const,
    ),
    target: hostileText,
    detail: hostileText,
  },
  { requiredKeys: ['time', 'userId', 'action', 'outcome'] },
);

/** Times as the monitor records them: 0 (not yet) or a real clock reading. */
const checkedAt = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4_102_444_800_000 }));
const level = fc.constantFrom(...HEALTH_LEVELS);
const component = fc.record({
  name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
  label: hostileText,
  level,
  summary: hostileText,
  latencyMs: fc.option(fc.oneof(fc.nat(), fc.double()), { nil: undefined }),
  checkedAt,
});
const healthSnapshot: fc.Arbitrary<HealthSnapshot> = fc.record({
  overall: level,
  reasons: fc.oneof(
    fc.array(hostileText, { maxLength: 8 }),
    hostileText.map((r) => Array<string>(8).fill(r)),
  ),
  // Dozens of Docker hosts, or a full screen of one worst-case component.
  components: fc.oneof(
    fc.array(component, { maxLength: 30 }),
    component.map((c) => Array<typeof c>(20).fill(c)),
  ),
  checkedAt,
});

const pluginLabel = hostileString.filter(
  (s) => s.trim() !== '' && s.isWellFormed() && s.length <= 60,
);

const CASES: ViewCase<unknown>[] = [
  viewCase({
    name: 'healthView',
    input: healthSnapshot,
    render: healthView,
    runs: 400,
    truncates: true,
  }),
  viewCase({
    name: 'codePromptView',
    input: fc.record({
      action: fc.option(hostileText, { nil: undefined }),
      enrolled: fc.boolean(),
      group: fc.boolean(),
    }),
    render: codePromptView,
    runs: 300,
  }),
  viewCase({
    name: 'codeAcceptedView',
    input: fc.tuple(duration, fc.option(privileged, { nil: undefined }), fc.boolean()),
    render: ([ms, resume, first]) => codeAcceptedView(ms, resume, first),
    runs: 300,
  }),
  viewCase({ name: 'wrongCodeView', input: fc.integer(), render: wrongCodeView, runs: 50 }),
  viewCase({
    name: 'lockedView',
    input: fc.tuple(fc.constantFrom('failures' as const, 'burst' as const), duration),
    render: ([reason, ms]) => lockedView(reason, ms),
    runs: 50,
  }),
  viewCase({ name: 'blockedView', input: duration, render: blockedView, runs: 50 }),
  viewCase({
    name: 'alreadyAuthenticatedView',
    input: duration,
    render: alreadyAuthenticatedView,
    runs: 50,
  }),
  viewCase({ name: 'adminOnlyView', input: hostileText, render: adminOnlyView, runs: 300 }),
  viewCase({
    name: 'qrRefusedView',
    input: fc.constant(undefined),
    render: () => qrRefusedView(),
    runs: 1,
  }),
  viewCase({
    name: 'qrPrivateOnlyView',
    input: fc.constant(undefined),
    render: () => qrPrivateOnlyView(),
    runs: 1,
  }),
  viewCase({ name: 'loggedOutView', input: fc.boolean(), render: loggedOutView, runs: 10 }),
  viewCase({
    name: 'auditView',
    // A full page of one worst-case record, or a mixed page.
    input: fc.oneof(
      fc.array(auditRecord, { maxLength: AUDIT_SHOWN }),
      auditRecord.map((r) => Array<AuditRecord>(AUDIT_SHOWN).fill(r)),
    ),
    render: auditView,
    runs: 400,
    truncates: true,
  }),
  viewCase({
    name: 'lockoutNoticeView',
    input: fc.tuple(actor, fc.constantFrom('failures' as const, 'burst' as const), duration),
    render: ([a, reason, ms]) => lockoutNoticeView(a, reason, ms),
    runs: 300,
  }),
  viewCase({
    name: 'privilegedNoticeView',
    input: fc.tuple(actor, privileged, fc.boolean()),
    render: ([a, action, ok]) => privilegedNoticeView(a, action, ok),
    runs: 300,
  }),
  viewCase({ name: 'welcomeView', input: hostileText, render: welcomeView, runs: 400 }),
  viewCase({ name: 'backToMainView', input: hostileText, render: backToMainView, runs: 300 }),
  viewCase({ name: 'getMyIdView', input: idCard, render: getMyIdView, runs: 500 }),
  viewCase({
    name: 'unknownTextView',
    input: fc.constant(undefined),
    render: () => unknownTextView(),
    runs: 1,
  }),
  viewCase({
    name: 'pluginsView',
    // Labels are plugin constants that become reply-keyboard buttons; descriptions are free text.
    input: fc.array(fc.record({ label: pluginLabel, description: hostileText }), { maxLength: 5 }),
    render: pluginsView,
    runs: 300,
  }),
];

describe('views under hostile input', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s renders Telegram-valid HTML within limits, markup unchanged by input',
    (_name, c) => {
      fc.assert(
        fc.property(c.input, (input) => {
          const shape = skeleton(checkView(c.render(input)));
          const blandShape = skeleton(checkView(c.render(bland(input))));
          if (c.truncates !== true) {
            expect(shape).toEqual(blandShape);
          } else {
            expect(shape.length).toBeLessThanOrEqual(blandShape.length);
            for (const type of shape) expect(blandShape).toContain(type);
          }
        }),
        fuzzParams(c.runs),
      );
    },
    60_000,
  );
});

describe('captions and labels under hostile input', () => {
  it('qrCaptionView fits a photo caption', () => {
    fc.assert(
      fc.property(duration, (ms) => void checkView(qrCaptionView(ms), TELEGRAM_LIMITS.caption)),
      fuzzParams(50),
    );
  });

  it('continueLabel is a non-blank, well-formed button label within the limit', () => {
    fc.assert(
      fc.property(privileged, (action) => {
        const label = continueLabel(action);
        expect(label.trim()).not.toBe('');
        expect(label.isWellFormed()).toBe(true);
        expect(Array.from(label).length).toBeLessThanOrEqual(TELEGRAM_LIMITS.buttonText);
      }),
      fuzzParams(300),
    );
  });
});

describe('html primitives under hostile input', () => {
  it('html`` escapes every interpolation: the text reads back exactly, no entities appear', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 4 }), (parts) => {
        const markup = html`${parts}`.value;
        const parsed = parseHtml(markup);
        expect(parsed.entities).toEqual([]);
        expect(parsed.text).toBe(parts.map((p) => p.toWellFormed()).join(''));
        expect(visibleText(markup)).toBe(parsed.text);
      }),
      fuzzParams(1500),
    );
  });

  it('nested fragments and joinHtml keep the template markup balanced', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { maxLength: 6 }), hostileString, (items, sep) => {
        const list = joinHtml(
          items.map((t) => html`<b>${t}</b> <code>${clip(t, 10)}</code>`),
          sep,
        );
        const parsed = parseHtml(html`<i>${'head'}</i> ${list}`.value);
        const nonEmpty = items.filter((t) => t !== '').length;
        expect(skeleton(parsed)).toEqual([
          'italic',
          ...Array<string[]>(nonEmpty).fill(['bold', 'code']).flat(),
        ]);
      }),
      fuzzParams(800),
    );
  });

  it('clip returns at most max code points of well-formed text and never splits a pair', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 5000 }), (text, max) => {
        const out = clip(text, max);
        expect(out.isWellFormed()).toBe(true);
        expect(Array.from(out).length).toBeLessThanOrEqual(max);
        if (Array.from(text).length <= max) expect(out).toBe(text.toWellFormed());
      }),
      fuzzParams(800),
    );
  });

  it('clipUnits returns at most max UTF-16 units of well-formed text, a prefix of the input', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 5000 }), (text, max) => {
        const out = clipUnits(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out.isWellFormed()).toBe(true);
        const whole = text.toWellFormed();
        expect(whole.startsWith(out.endsWith('…') && out !== whole ? out.slice(0, -1) : out)).toBe(
          true,
        );
      }),
      fuzzParams(800),
    );
  });

  it('escapeHtml output has no markup characters left and decodes back to the input', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = escapeHtml(text);
        expect(out).not.toMatch(/[<>"]/);
        expect(out).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
        expect(visibleText(out)).toBe(text.toWellFormed());
      }),
      fuzzParams(800),
    );
  });
});
