import { compileNamePattern, isWatched } from '../../../src/alerts/patterns';

describe('container name patterns', () => {
  it('globs match whole names; /regex/ is a regular expression', () => {
    expect(compileNamePattern('web-*').test('web-1')).toBe(true);
    expect(compileNamePattern('web-*').test('my-web-1')).toBe(false);
    expect(compileNamePattern('db?').test('db1')).toBe(true);
    expect(compileNamePattern('a.b').test('axb')).toBe(false);
    expect(compileNamePattern('/^ci-\\d+$/').test('ci-42')).toBe(true);
    expect(compileNamePattern('/^ci-\\d+$/').test('ci-x')).toBe(false);
  });

  it('rejects invalid patterns with a reason', () => {
    expect(() => compileNamePattern('/(/')).toThrow(/not a valid regular expression/);
    expect(() => compileNamePattern('web[')).toThrow(/not a valid glob/);
    expect(() => compileNamePattern('')).toThrow(/empty/);
    expect(() => compileNamePattern('x'.repeat(201))).toThrow(/at most 200/);
  });

  it('the tmbot.alerts=false label opts out; include limits, exclude removes', () => {
    const inc = [compileNamePattern('app-*')];
    const exc = [compileNamePattern('app-test')];
    expect(isWatched('app-1', {}, inc, exc)).toBe(true);
    expect(isWatched('app-test', {}, inc, exc)).toBe(false);
    expect(isWatched('other', {}, inc, exc)).toBe(false);
    expect(isWatched('app-1', { 'tmbot.alerts': 'False' }, inc, exc)).toBe(false);
    expect(isWatched('x', { 'tmbot.alerts': 'true' }, [], [])).toBe(true);
  });
});
