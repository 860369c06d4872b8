import { isIP } from 'node:net';
import type { ConfigIssue } from '../errors';
import type { RawConfig } from './types';

// Cross-field checks: what the JSON schema cannot say alone. Each pushes its problems onto `issues`.

export const PLACEHOLDER =
  /^(YOUR_[A-Z0-9_]+|your-[a-z0-9-]+|REPLACE_[A-Za-z0-9_-]*|CHANGE_?ME|<.*>)$/i;

/** A URL that may carry credentials (user info or a query such as `?api_key=`), else ''. */
export function credentialUrl(url: string): string {
  return /[@?]/.test(url) ? url : '';
}
const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{20,}$/;
const MIN_SALT_LENGTH = 16;
/** unix:///path, tcp://host[:port], http(s)://host[:port], ssh://[user@]host[:port]. */
const DOCKER_HOST_SHAPE = /^(unix:\/\/\/\S+|(tcp|https?|ssh):\/\/[^\s/]+\/?)$/;

export function checkToken(token: string, tokenKey: string, issues: ConfigIssue[]): void {
  const path = `bot_token.${tokenKey}`;
  // eslint-disable-next-line security/detect-possible-timing-attacks -- an emptiness check at start-up, not a secret comparison
  if (token === '') {
    issues.push({
      path,
      message: `is required (or set TMBOT_BOT_TOKEN / TMBOT_BOT_TOKEN_FILE); get a token from @BotFather`,
    });
  } else if (PLACEHOLDER.test(token)) {
    issues.push({
      path,
      message: `is still the placeholder ${token}; replace it with the token @BotFather gave you`,
    });
  } else if (!TOKEN_SHAPE.test(token)) {
    // Never echo the value: it may be a real token with a typo.
    issues.push({
      path,
      message: 'does not look like a bot token (expected digits, a colon, then 20+ letters/digits)',
    });
  }
}

export function checkAccess(
  ac: RawConfig['access_control'] | undefined,
  salt: string,
  issues: ConfigIssue[],
): void {
  if (salt !== '' && PLACEHOLDER.test(salt)) {
    issues.push({
      path: 'access_control.auth_salt',
      message: 'is still a placeholder; generate one with `tmbot --salt`',
    });
  } else if (salt !== '' && salt.length < MIN_SALT_LENGTH) {
    issues.push({
      path: 'access_control.auth_salt',
      message: `is too short (${salt.length} chars); use at least 32 random characters (\`tmbot --salt\`)`,
    });
  }
  if (ac === undefined || !Array.isArray(ac.allowed_admins_ids)) return;
  if (!Array.isArray(ac.allowed_user_ids)) return;
  const users = new Set(ac.allowed_user_ids);
  ac.allowed_admins_ids.forEach((id, i) => {
    if (Number.isInteger(id) && !users.has(id)) {
      issues.push({
        path: `access_control.allowed_admins_ids[${i}]`,
        message: `admin ${id} is not in access_control.allowed_user_ids; add it there too`,
      });
    }
  });
  if (ac.allowed_admins_ids.length > 0 && salt === '') {
    issues.push({
      path: 'access_control.auth_salt',
      message: 'is required when admins are configured (2FA); generate one with `tmbot --salt`',
    });
  }
}

export function checkWebhook(
  wh: RawConfig['webhook_config'] | undefined,
  issues: ConfigIssue[],
): void {
  if (wh === undefined) return;
  if (Number.isInteger(wh.local_port) && wh.local_port < 1024) {
    issues.push({
      path: 'webhook_config.local_port',
      message: `${wh.local_port} is a privileged port; use 1024 or higher and let the reverse proxy listen on 443`,
    });
  }
  for (const key of ['trusted_proxy_ips', 'additional_telegram_ip_ranges'] as const) {
    const list = wh[key];
    if (!Array.isArray(list)) continue;
    list.forEach((v, i) => {
      if (typeof v === 'string' && !isCidrOrIp(v)) {
        issues.push({
          path: `webhook_config.${key}[${i}]`,
          message: `'${v}' is not an IP address or CIDR range`,
        });
      }
    });
  }
}

export function checkDocker(dk: RawConfig['docker'] | undefined, issues: ConfigIssue[]): void {
  if (dk === undefined) return;
  if (Array.isArray(dk.host)) {
    dk.host.forEach((h, i) => {
      if (typeof h === 'string' && !DOCKER_HOST_SHAPE.test(h)) {
        issues.push({
          path: `docker.host[${i}]`,
          message: `'${h}' is not a Docker host; use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host`,
        });
      }
    });
  }
  if (Boolean(dk.tls_cert) !== Boolean(dk.tls_key)) {
    issues.push({
      path: dk.tls_cert ? 'docker.tls_key' : 'docker.tls_cert',
      message: 'tls_cert and tls_key go together (client certificate and its key)',
    });
  }
}

function isCidrOrIp(value: string): boolean {
  const [addr = '', prefix, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A time zone the runtime does not know, as an issue at `path`; an empty zone means the system's. */
export function timeZoneIssues(zone: unknown, path: string): ConfigIssue[] {
  if (typeof zone !== 'string' || zone === '') return [];
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return [];
  } catch {
    return [
      {
        path,
        message: `'${zone.slice(0, 64)}' is not an IANA time zone (e.g. Europe/Berlin, UTC)`,
      },
    ];
  }
}
