import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { jitMode } from '../../../src/cli/jit';
import { UsageError } from '../../../src/errors';

const JIT_TS = join(__dirname, '..', '..', '..', 'src', 'cli', 'jit.ts');

/** V8's reports on `hot`, by target tier, from a child that applied `mode` first and then ran it hot. */
function optimisations(mode: string): { maglev: number; turbofan: number } {
  const code = `require(${JSON.stringify(JIT_TS)}).applyJitMode(${JSON.stringify(mode)});
function hot(n) { let x = 0; for (let i = 0; i < n; i++) x += i % 7; return x; }
let s = 0; for (let i = 0; i < 20000; i++) s += hot(1000);
console.log('sum', s);`;
  const r = spawnSync(process.execPath, ['--trace-opt', '--require', 'tsx/cjs', '-e', code], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('sum ');
  const hot = r.stdout.split('\n').filter((l) => l.includes('<JSFunction hot '));
  return {
    maglev: hot.filter((l) => l.includes('MAGLEV')).length,
    turbofan: hot.filter((l) => l.includes('TURBOFAN')).length,
  };
}

describe('jitMode', () => {
  it('is lean unless TMBOT_JIT says full', () => {
    expect(jitMode({})).toBe('lean');
    expect(jitMode({ TMBOT_JIT: '' })).toBe('lean');
    expect(jitMode({ TMBOT_JIT: 'lean' })).toBe('lean');
    expect(jitMode({ TMBOT_JIT: ' Full ' })).toBe('full');
  });

  it('refuses any other value with a usage error naming the choices', () => {
    expect(() => jitMode({ TMBOT_JIT: 'turbo' })).toThrow(UsageError);
    expect(() => jitMode({ TMBOT_JIT: 'turbo' })).toThrow('TMBOT_JIT must be lean or full');
  });
});

describe('applyJitMode', () => {
  it('lean: a hot function is handed to neither optimising compiler (Maglev, TurboFan)', () => {
    expect(optimisations('lean')).toEqual({ maglev: 0, turbofan: 0 });
  });

  it('full: V8 optimises the same hot function with Maglev and TurboFan as usual', () => {
    const o = optimisations('full');
    expect(o.maglev).toBeGreaterThan(0);
    expect(o.turbofan).toBeGreaterThan(0);
  });
});
