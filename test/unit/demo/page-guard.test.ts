import type http from 'node:http';
import { refusal, TOKEN_COOKIE } from '../../../src/demo/page-guard';
import { pageMarkup } from '../../../src/demo/page-model';

const TOKEN = 'tok-123456789';
const PORT = 4242;

function req(method: string, headers: Record<string, string>): http.IncomingMessage {
  return { method, headers } as unknown as http.IncomingMessage;
}

const url = (q = ''): URL => new URL(`http://127.0.0.1:${PORT}/api/chat${q}`);
const expected = { token: TOKEN, port: PORT };
const HOST = { host: `127.0.0.1:${PORT}` };
const ORIGIN = { origin: `http://127.0.0.1:${PORT}` };

describe('demo page guard', () => {
  it('lets the token through in the header, the query or the cookie', () => {
    expect(
      refusal(req('GET', { ...HOST, 'x-demo-token': TOKEN }), url(), expected),
    ).toBeUndefined();
    expect(refusal(req('GET', HOST), url(`?token=${TOKEN}`), expected)).toBeUndefined();
    const cookie = `a=b; ${TOKEN_COOKIE}=${TOKEN}`;
    expect(refusal(req('GET', { ...HOST, cookie }), url(), expected)).toBeUndefined();
  });

  it('refuses a missing, wrong or longer token', () => {
    expect(refusal(req('GET', HOST), url(), expected)).toMatch(/token/);
    expect(refusal(req('GET', { ...HOST, 'x-demo-token': 'tok' }), url(), expected)).toMatch(
      /token/,
    );
    expect(refusal(req('GET', HOST), url(`?token=${TOKEN}x`), expected)).toMatch(/token/);
  });

  it('refuses another Host (DNS rebinding) and another Origin, even with the token', () => {
    const ok = { 'x-demo-token': TOKEN };
    expect(refusal(req('GET', { ...ok, host: `localhost:${PORT}` }), url(), expected)).toBe(
      'wrong Host',
    );
    expect(refusal(req('GET', { ...ok, host: 'evil.test' }), url(), expected)).toBe('wrong Host');
    expect(
      refusal(req('GET', { ...ok, ...HOST, origin: 'http://evil.test' }), url(), expected),
    ).toBe('foreign Origin');
  });

  it('needs the page as Origin on POST', () => {
    const ok = { 'x-demo-token': TOKEN, ...HOST };
    expect(refusal(req('POST', ok), url(), expected)).toMatch(/Origin/);
    expect(refusal(req('POST', { ...ok, ...ORIGIN }), url(), expected)).toBeUndefined();
  });
});

describe('demo page model', () => {
  it('maps every reply_markup kind and ignores what it does not know', () => {
    expect(
      pageMarkup({
        inline_keyboard: [
          [
            { text: 'a', callback_data: 'x' },
            { text: 'u', url: 'https://e.test' },
          ],
        ],
      }),
    ).toEqual({
      kind: 'inline',
      rows: [
        [
          { text: 'a', data: 'x' },
          { text: 'u', url: 'https://e.test' },
        ],
      ],
    });
    expect(pageMarkup({ keyboard: [['A', { text: 'B' }]] })).toEqual({
      kind: 'reply',
      rows: [['A', 'B']],
    });
    expect(pageMarkup({ remove_keyboard: true })).toEqual({ kind: 'remove' });
    expect(pageMarkup({ force_reply: true, input_field_placeholder: 'code' })).toEqual({
      kind: 'force_reply',
      placeholder: 'code',
    });
    expect(pageMarkup({ something: 1 })).toBeUndefined();
    expect(pageMarkup('nope')).toBeUndefined();
  });
});
