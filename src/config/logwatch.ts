import { compileNamePattern } from '../alerts/patterns';
import type { ConfigIssue } from '../errors';
import { compileLogPattern } from '../logwatch/regex-safety';

/** One `alerts.log_patterns` entry as written (after schema defaults). */
export interface RawLogPattern {
  name: string;
  pattern: string;
  flags: string;
  containers: string[];
  context_lines: number;
  rate_limit_minutes: number;
  action: 'none' | 'restart';
  max_restarts_per_hour: number;
}

/** `alerts.log_watch` as written. */
export interface RawLogWatch {
  max_line_bytes: number;
  match_timeout_ms: number;
  max_containers: number;
}

/** One log pattern, checked: the regex compiled and found safe, the name patterns valid. */
export interface LogPatternConfig {
  readonly name: string;
  readonly source: string;
  readonly flags: string;
  /** Container name patterns (glob or /regex/); empty: labelled containers only. */
  readonly containers: readonly string[];
  readonly contextLines: number;
  readonly rateLimitMs: number;
  readonly action: 'none' | 'restart';
  readonly maxRestartsPerHour: number;
}

/** Log-pattern alerts (`alerts.log_patterns` + `alerts.log_watch`). */
export interface LogWatchConfig {
  readonly patterns: readonly LogPatternConfig[];
  readonly maxLineBytes: number;
  readonly matchTimeoutMs: number;
  readonly maxContainers: number;
}

type Loose = Partial<Record<string, unknown>>;
const loose = (v: unknown): Loose => (typeof v === 'object' && v !== null ? v : {});

/**
 * What the schema cannot check: every regex compiles and is safe to backtrack,
 * every name pattern compiles, names are unique. Runs on the document as written.
 */
export function checkLogPatterns(alerts: unknown, issues: ConfigIssue[]): void {
  const list = loose(alerts).log_patterns;
  if (!Array.isArray(list)) return;
  const seen = new Set<string>();
  list.forEach((entry: unknown, i) => {
    const e = loose(entry);
    const path = `alerts.log_patterns[${i}]`;
    if (typeof e.name === 'string') {
      if (seen.has(e.name))
        issues.push({ path: `${path}.name`, message: `'${e.name}' is used twice` });
      seen.add(e.name);
    }
    if (typeof e.pattern === 'string' && e.pattern.length > 0) {
      try {
        compileLogPattern(e.pattern, typeof e.flags === 'string' ? e.flags : '');
      } catch (err) {
        issues.push({
          path: `${path}.pattern`,
          message: `'${e.pattern.slice(0, 60)}': ${(err as Error).message}`,
        });
      }
    }
    const containers = Array.isArray(e.containers) ? (e.containers as unknown[]) : [];
    containers.forEach((p, j) => {
      if (typeof p !== 'string') return;
      try {
        compileNamePattern(p);
      } catch (err) {
        issues.push({
          path: `${path}.containers[${j}]`,
          message: `'${p.slice(0, 60)}': ${(err as Error).message}`,
        });
      }
    });
  });
}

/** `alerts.log_patterns` and `alerts.log_watch` after validation → typed settings. */
export function logWatchConfig(patterns: readonly RawLogPattern[], w: RawLogWatch): LogWatchConfig {
  return {
    patterns: patterns.map((p) => ({
      name: p.name,
      source: p.pattern,
      flags: p.flags,
      containers: [...p.containers],
      contextLines: p.context_lines,
      rateLimitMs: Math.round(p.rate_limit_minutes * 60_000),
      action: p.action,
      maxRestartsPerHour: p.max_restarts_per_hour,
    })),
    maxLineBytes: w.max_line_bytes,
    matchTimeoutMs: w.match_timeout_ms,
    maxContainers: w.max_containers,
  };
}
