/**
 * Every view, fed hostile strings in every field (markup, entities, bidi marks, emoji, lone
 * surrogates, 100 000 characters), renders HTML Telegram accepts: only its tags, balanced,
 * text escaped, within the length limit; and hostile text never adds or removes markup.
 */
import fc from 'fast-check';
import { clip, escapeHtml, html, joinHtml, visibleText } from '../../../src/views/html';
import {
  backToMainView,
  getMyIdView,
  pluginsView,
  unknownTextView,
  welcomeView,
  type IdCard,
} from '../../../src/views/menu';
import type { View } from '../../../src/views/view';
import { parseHtml } from '../../support/bot-api-html';
import { fuzzParams, hostileId, hostileString, hostileText } from '../../support/fuzz';
import { bland, checkView, skeleton } from '../../support/telegram-rules';

/** A view renderer and an arbitrary for its input. */
interface ViewCase<T> {
  name: string;
  input: fc.Arbitrary<T>;
  render: (input: T) => View;
  runs: number;
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

const pluginLabel = hostileString.filter(
  (s) => s.trim() !== '' && s.isWellFormed() && s.length <= 60,
);

const CASES: ViewCase<unknown>[] = [
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
          const parsed = checkView(c.render(input));
          expect(skeleton(parsed)).toEqual(skeleton(checkView(c.render(bland(input)))));
        }),
        fuzzParams(c.runs),
      );
    },
    60_000,
  );
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
