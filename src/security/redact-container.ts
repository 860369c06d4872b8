import type { ContainerDetails, ImageDetails, ImageLayer, KeyValue } from '../adapters/docker/port';

/**
 * One redaction for every view of container and image data (details, env, labels,
 * command, entrypoint, args, health-check output, logs page and file, alerts).
 * Pure: text in, text out. Applying it twice gives the same result as once.
 */

export const REDACTED = '[REDACTED]';
/** What a non-admin sees instead of an environment value or a command line. */
export const ADMIN_ONLY = '[admins-only]';

const SECRET_WORDS =
  /(pass(wd|word|phrase)?|pwd|secret|token|key|auth|cred(s|ential)?|private|jwt|cookie|session|salt|signature|cert)/i;
const SECRET_PAIRS: readonly (readonly [RegExp, RegExp])[] = [
  [/database|db/i, /url|uri|dsn/i],
  [/api/i, /key/i],
];

/** True when a variable, label, flag or JSON key name suggests its value is a secret. */
export function isSecretName(name: string): boolean {
  // "authors" (an OCI label) is not "auth".
  if (SECRET_WORDS.test(name.replace(/authors?/gi, ''))) return true;
  return SECRET_PAIRS.some(([a, b]) => a.test(name) && b.test(name)) || /(^|_)dsn$/i.test(name);
}

const ANSI = [
  /\x1b\[[0-?]*[ -/]*[@-~]/g, // CSI: colours, cursor moves
  /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, // OSC: titles, hyperlinks
  /\x1b[PX^_][^\x1b]*(?:\x1b\\)?/g, // DCS, SOS, PM, APC strings
  /\x1b[ -/]*[0-~]/g, // two-byte escapes
  /\x9b[0-?]*[ -/]*[@-~]/g, // 8-bit CSI
];
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]/g;
/** Bidi overrides would let a line display as something else than it is. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** `user:password@` inside any URL. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi;
const AUTH_VALUE = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** `KEY=value`, `key: value`, `"key": "value"`, `--key=value`. */
const PAIR =
  /(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,63})\1(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s,;&"'}]+)/g;
/** `--flag value` and `-p value` written in one string. */
const FLAG_SPACE_VALUE =
  /(^|\s)(--?[A-Za-z][A-Za-z0-9_-]*)([ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s-]\S*)/g;

const isRedacted = (v: string): boolean => /^["']?\[REDACTED/.test(v) || v.includes(ADMIN_ONLY);
const secretFlag = (flag: string): boolean =>
  flag === '-p' || isSecretName(flag.replace(/^-+/, ''));

function stripControls(text: string, multiline: boolean): string {
  let out = text.toWellFormed();
  for (const re of ANSI) out = out.replace(re, '');
  out = out.replace(/\r\n?/g, '\n').replace(CONTROLS, '').replace(BIDI, '');
  return multiline ? out : out.replace(/[\n\t]+/g, ' ');
}

function quoted(value: string): string {
  const q = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
  return `${q}${REDACTED}${q}`;
}

/** Masks credentials by shape: URL passwords, auth values, secret-named pairs and flags. */
function maskShapes(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(AUTH_VALUE, `$1 ${REDACTED}`)
    .replace(PAIR, (whole, quote: string, key: string, sep: string, value: string) =>
      !isSecretName(key) || isRedacted(value)
        ? whole
        : `${quote}${key}${quote}${sep}${quoted(value)}`,
    )
    .replace(FLAG_SPACE_VALUE, (whole, lead: string, flag: string, gap: string, value: string) =>
      !secretFlag(flag) || isRedacted(value) ? whole : `${lead}${flag}${gap}${quoted(value)}`,
    );
}

/** Text and structure redaction for container data; `secrets` removes configured secrets. */
export class ContainerRedaction {
  constructor(private readonly secrets: (text: string) => string) {}

  /** Control characters stripped, then configured secrets and secret shapes masked. */
  text(text: string, multiline = false): string {
    return maskShapes(this.secrets(stripControls(text, multiline)));
  }

  /** An argv: each part masked, and the part after a bare secret flag (`--password x`, `-p x`). */
  argv(parts: readonly string[]): string[] {
    return parts.map((part, i) => {
      const prev = i > 0 ? parts[i - 1] : undefined;
      if (prev !== undefined && /^--?[A-Za-z][A-Za-z0-9_-]*$/.test(prev) && secretFlag(prev))
        return REDACTED;
      return this.text(part);
    });
  }

  /** Environment variables or labels: a secret-looking name hides the value whole. */
  pairs(pairs: readonly KeyValue[]): KeyValue[] {
    return pairs.map((p) => ({
      key: this.text(p.key),
      value: isSecretName(p.key) ? REDACTED : this.text(p.value),
    }));
  }

  container(c: ContainerDetails): ContainerDetails {
    const t = (s: string): string => this.text(s);
    return {
      ...c,
      error: t(c.error),
      ...(c.lastHealthCheck !== undefined
        ? {
            lastHealthCheck: {
              ...c.lastHealthCheck,
              output: this.text(c.lastHealthCheck.output, true),
            },
          }
        : {}),
      config: {
        ...c.config,
        entrypoint: this.argv(c.config.entrypoint),
        cmd: this.argv(c.config.cmd),
        env: this.pairs(c.config.env),
        labels: this.pairs(c.config.labels),
      },
      network: { ...c.network, extraHosts: c.network.extraHosts.map(t) },
      storage: { ...c.storage, binds: c.storage.binds.map(t), tmpfs: this.pairs(c.storage.tmpfs) },
    };
  }

  image(i: ImageDetails): ImageDetails {
    const hc = i.config.healthcheck;
    return {
      ...i,
      author: this.text(i.author),
      comment: this.text(i.comment),
      config: {
        ...i.config,
        entrypoint: this.argv(i.config.entrypoint),
        cmd: this.argv(i.config.cmd),
        env: this.pairs(i.config.env),
        labels: this.pairs(i.config.labels),
        ...(hc !== undefined ? { healthcheck: { ...hc, test: this.argv(hc.test) } } : {}),
      },
    };
  }

  layers(layers: readonly ImageLayer[]): ImageLayer[] {
    return layers.map((l) => ({
      ...l,
      createdBy: this.text(l.createdBy),
      comment: this.text(l.comment),
    }));
  }

  /** Container output: multi-line text. */
  log(text: string): string {
    return this.text(text, true);
  }
}

/**
 * What a viewer may see: admins everything (redacted); other allowed users see
 * environment names but not values, and no command line (entrypoint, command,
 * health-check test), which commonly carry credentials.
 */
export function containerForViewer(c: ContainerDetails, isAdmin: boolean): ContainerDetails {
  if (isAdmin) return c;
  return {
    ...c,
    ...(c.lastHealthCheck !== undefined
      ? { lastHealthCheck: { ...c.lastHealthCheck, output: ADMIN_ONLY } }
      : {}),
    config: {
      ...c.config,
      entrypoint: c.config.entrypoint.length > 0 ? [ADMIN_ONLY] : [],
      cmd: c.config.cmd.length > 0 ? [ADMIN_ONLY] : [],
      env: c.config.env.map((p) => ({ key: p.key, value: ADMIN_ONLY })),
    },
  };
}

/** The same rule for image details. */
export function imageForViewer(i: ImageDetails, isAdmin: boolean): ImageDetails {
  if (isAdmin) return i;
  const hc = i.config.healthcheck;
  return {
    ...i,
    config: {
      ...i.config,
      entrypoint: i.config.entrypoint.length > 0 ? [ADMIN_ONLY] : [],
      cmd: i.config.cmd.length > 0 ? [ADMIN_ONLY] : [],
      env: i.config.env.map((p) => ({ key: p.key, value: ADMIN_ONLY })),
      ...(hc !== undefined ? { healthcheck: { ...hc, test: [ADMIN_ONLY] } } : {}),
    },
  };
}
