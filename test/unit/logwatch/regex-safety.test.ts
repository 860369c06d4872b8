import { compileLogPattern, unsafeConstruct } from '../../../src/logwatch/regex-safety';

describe('log pattern safety at load', () => {
  it.each([
    ['(a+)+$', /repeated group holds a repeat/],
    ['(\\w*){2,}x', /repeated group holds a repeat/],
    ['^(?:a|b+)*c', /repeated group holds a repeat/],
    ['((ab)+c)+', /repeated group holds a repeat/],
    ['(x+x+)+y', /repeated group holds a repeat/],
    ['(a)\\1', /back-references/],
    ['(?<w>a)\\k<w>', /back-references/],
    ['(?<=user )root', /look-ahead and look-behind/],
    ['foo(?!bar)', /look-ahead and look-behind/],
  ])('refuses %s', (source, why) => {
    expect(() => compileLogPattern(source, '')).toThrow(why);
  });

  it.each([
    'panic|FATAL|out of memory',
    '(foo|bar)+ baz',
    '\\d{1,3}\\.\\d{1,3}',
    'level=(error|fatal)',
    '[(a+)+]+',
    '\\(a+\\)+',
    '(?<level>ERROR|WARN): .*',
    '(ab){3}',
    '(a+)?b',
  ])('accepts %s', (source) => {
    expect(unsafeConstruct(source)).toBeUndefined();
    expect(compileLogPattern(source, 'i')).toBeInstanceOf(RegExp);
  });

  it('refuses what does not compile, stateful flags and oversized patterns', () => {
    expect(() => compileLogPattern('(unclosed', '')).toThrow(/not a valid regular expression/);
    expect(() => compileLogPattern('x', 'g')).toThrow(/flags 'g' are not allowed/);
    expect(() => compileLogPattern('x', 'ii')).toThrow(/not allowed/);
    expect(() => compileLogPattern('x'.repeat(301), '')).toThrow(/at most 300/);
    expect(() => compileLogPattern('', '')).toThrow(/empty/);
  });
});
