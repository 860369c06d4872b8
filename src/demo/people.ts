/** The three demo people the chat page switches between. */

/** One person of the demo: a Telegram user who writes to the bot in a private chat. */
export interface DemoPerson {
  readonly key: 'admin' | 'user' | 'stranger';
  readonly id: number;
  readonly firstName: string;
  /** What the page says about their rights. */
  readonly role: string;
}

/** Admin (allowed, admin, 2FA), plain user (allowed) and stranger (not in the allowlist). */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { key: 'admin', id: 100_001, firstName: 'Ada', role: 'admin (2FA for privileged actions)' },
  { key: 'user', id: 100_002, firstName: 'Bob', role: 'allowed user' },
  { key: 'stranger', id: 666_003, firstName: 'Eve', role: 'stranger (not in the allowlist)' },
];

/** The person with this key, or undefined. */
export function demoPerson(key: string): DemoPerson | undefined {
  return DEMO_PEOPLE.find((p) => p.key === key);
}

/** The demo admin (the one with a 2FA authenticator). */
export const DEMO_ADMIN: DemoPerson = DEMO_PEOPLE[0] as DemoPerson;
