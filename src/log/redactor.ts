/**
 * Removes secrets from text. It is the last step of every log transport and is
 * also applied to every error text before it can reach a chat.
 */
export class Redactor {
  /** Bot tokens by shape, also inside `/bot<token>/` URLs and URL-encoded (`%3A`). */
  private static readonly TOKEN_PATTERN = /(?<![0-9])\d{5,16}(?::|%3[Aa])[A-Za-z0-9_-]{30,}/g;
  /** Values shorter than this are too likely to appear by chance to be replaced blindly. */
  private static readonly MIN_SECRET_LENGTH = 6;

  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /**
   * Registers a secret value (bot token, salt, webhook path/secret, API URL…) in every
   * encoding people paste it in: as is, URL-encoded, and a token's secret half on its own.
   */
  add(value: string | undefined): void {
    if (value === undefined) return;
    for (const variant of secretVariants(value)) this.addOne(variant);
  }

  private addOne(secret: string): void {
    if (secret.length < Redactor.MIN_SECRET_LENGTH) return;
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    // Longest first so a secret that contains another is replaced whole.
    const alternatives = [...this.secrets]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    // eslint-disable-next-line security/detect-non-literal-regexp -- built from escaped literals only
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }

  redact(text: string): string {
    let out = text;
    if (this.pattern !== undefined) out = out.replace(this.pattern, '[REDACTED]');
    return out.replace(Redactor.TOKEN_PATTERN, '[REDACTED-TOKEN]');
  }
}

/** The forms a secret takes when pasted into URLs, env values or command lines. */
function secretVariants(secret: string): string[] {
  const out = new Set([secret, encodeURIComponent(secret)]);
  out.add(encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const half = /^\d{5,16}:(.{20,})$/.exec(secret)?.[1];
  if (half !== undefined) out.add(half);
  return [...out];
}
