import { randomBytes } from 'node:crypto';
import { openSync, writeSync, closeSync } from 'node:fs';
import { base32Encode } from '../security/base32';

/** A new auth salt: 32 random bytes in base32 (52 characters). */
export function newSalt(): string {
  return base32Encode(randomBytes(32));
}

/** The starter config `tmbot init` writes: valid YAML, placeholders where only the user knows the answer. */
export function starterConfig(salt: string): string {
  return `# tmbot configuration — written by \`tmbot init\`. Full reference: docs/configuration.md
# and pytmbot.example.yaml. pyTMBot files work unchanged.
config_version: '0.4.0'

bot_token:
  # The token @BotFather gave you (or set TMBOT_BOT_TOKEN / TMBOT_BOT_TOKEN_FILE).
  prod_token: 'YOUR_PROD_BOT_TOKEN'

access_control:
  # Your numeric Telegram user id: start the bot and send /getmyid.
  allowed_user_ids: [123456789]
  # Users who may manage containers (with 2FA). Must also be allowed users.
  allowed_admins_ids: [123456789]
  # Secret key for 2FA codes, generated for you. Keep it secret.
  auth_salt: '${salt}'

chat_id:
  # Where security alerts go (your user id for a private chat).
  global_chat_id: [123456789]

docker:
  host: ['unix:///var/run/docker.sock']
`;
}

/** Writes the starter config with mode 0600; refuses to overwrite. */
export function writeStarterConfig(path: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, starterConfig(newSalt()));
  } finally {
    closeSync(fd);
  }
}
