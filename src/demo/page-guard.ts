/**
 * Who may use the demo page: requests to 127.0.0.1 on the page's own port (Host checked against
 * DNS rebinding), from its own origin (Origin checked when sent, required on POST), carrying the
 * access token in the `x-demo-token` header, the `token` query (first load) or the cookie the
 * first load sets. Everything else gets 403 and nothing rendered.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/** The cookie that carries the access token after the first load. */
export const TOKEN_COOKIE = 'tmbot_demo';

/** Security headers on every answer: nothing from elsewhere, no framing, no sniffing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return rest.join('=');
  }
  return undefined;
}

/** Why a request is refused, or undefined when it may proceed. */
export function refusal(
  req: http.IncomingMessage,
  url: URL,
  expected: { token: string; port: number },
): string | undefined {
  const origin = `http://127.0.0.1:${expected.port}`;
  if (req.headers.host !== `127.0.0.1:${expected.port}`) return 'wrong Host';
  const sentOrigin = req.headers.origin;
  if (sentOrigin !== undefined && sentOrigin !== origin) return 'foreign Origin';
  if (req.method !== 'GET' && req.method !== 'HEAD' && sentOrigin !== origin)
    return 'POST without this page as its Origin';
  const header = req.headers['x-demo-token'];
  const candidates = [
    typeof header === 'string' ? header : undefined,
    url.searchParams.get('token') ?? undefined,
    cookieToken(req.headers.cookie),
  ];
  return candidates.some((t) => t !== undefined && sameSecret(t, expected.token))
    ? undefined
    : 'missing or wrong access token';
}
