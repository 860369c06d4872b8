import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../errors';

/**
 * Which of V8's tiers run the daemon's JavaScript (`TMBOT_JIT`):
 * - `lean` (default): the interpreter and Sparkplug, V8's baseline compiler, but neither of its
 *   optimising compilers. TurboFan's machine code (~5 MiB of the node binary) is then never paged
 *   in, and Maglev's compile jobs (and the memory they allocate on V8's helper threads) never
 *   run, ~1 MiB less at idle. A daemon that mostly waits answers about as fast (docs/performance.md).
 *   V8 also favours memory over speed where it offers the choice (`--optimize-for-size`: a heap
 *   that grows in smaller steps and gives memory back sooner), ~1.5 MiB less at idle.
 * - `full`: V8's defaults, for sustained heavy work such as thousands of log lines a second
 *   through log-pattern alerts (bench/logwatch.ts measures both).
 * Regular expressions are compiled to machine code in both.
 */
export type JitMode = 'lean' | 'full';

const MODES: readonly JitMode[] = ['lean', 'full'];

/** What `lean` sets, in this order. */
export const LEAN_V8_FLAGS: readonly string[] = ['--no-opt', '--no-maglev', '--optimize-for-size'];

/** The mode `TMBOT_JIT` asks for; a value that is neither is a usage error. */
export function jitMode(env: NodeJS.ProcessEnv): JitMode {
  const v = env.TMBOT_JIT;
  if (v === undefined || v === '') return 'lean';
  const mode = MODES.find((m) => m === v.trim().toLowerCase());
  if (mode === undefined) throw new UsageError(`TMBOT_JIT must be lean or full, not "${v}"`);
  return mode;
}

/** Applies `mode` to this process. Call it first: code already optimised stays optimised. */
export function applyJitMode(mode: JitMode): void {
  if (mode === 'lean') for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
}
