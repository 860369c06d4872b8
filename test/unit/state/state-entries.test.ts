import { isValidStranger, isValidTwoFactorUser } from '../../../src/state/state-entries';

const twofa = {
  lastStep: 1,
  enrolledRotation: 0,
  failures: 0,
  blockedUntil: 0,
  blockReason: 'failures',
  recentCodes: [1, 2],
  sessionUntil: 0,
  sessionRotation: 0,
  challengeAt: 0,
  pending: null,
  prompts: [{ chatId: 1, messageId: 2 }],
};

describe('state entry validators', () => {
  it('accept well-formed entries', () => {
    expect(
      isValidStranger({ attempts: 1, blockedUntil: 0, lastAlertAt: 0, lastSeenAt: 5 }),
    ).toEqual([]);
    expect(isValidTwoFactorUser(twofa)).toEqual([]);
    const pending = { label: 'l', action: 'a', args: ['x'], audit: 'u', target: 't' };
    expect(isValidTwoFactorUser({ ...twofa, pending })).toEqual([]);
  });

  it('name each problem with its path', () => {
    expect(isValidStranger({ attempts: 1.5, blockedUntil: 0, lastAlertAt: 0 })).toEqual([
      "/ must have required property 'lastSeenAt'",
      '/attempts must be integer',
    ]);
    expect(isValidStranger('x')).toEqual(['/ must be object']);
    expect(isValidStranger([])).toEqual(['/ must be object']);
    expect(
      isValidTwoFactorUser({
        ...twofa,
        blockReason: 'bored',
        recentCodes: Array.from({ length: 1001 }, () => 1),
        pending: { label: 1, action: 'a', args: [2], audit: 'u', target: 't', destructive: 'y' },
        prompts: [{ chatId: 'x', messageId: 2 }],
      }),
    ).toEqual([
      '/blockReason must be equal to one of the allowed values',
      '/recentCodes must NOT have more than 1000 items',
      '/pending/label must be string',
      '/pending/args/0 must be string',
      '/pending/destructive must be boolean',
      '/prompts/0/chatId must be integer',
    ]);
  });
});
