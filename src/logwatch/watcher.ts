import type { DockerEvent } from '../adapters/docker/events-port';
import type { DockerLogFollowPort } from '../adapters/docker/log-follow-port';
import type { DockerPort } from '../adapters/docker/port';
import type { AlertEngine } from '../alerts/engine';
import type { ExpectedChanges } from '../alerts/expected';
import type { NamePattern } from '../alerts/patterns';
import type { LogPatternFacts } from '../alerts/types';
import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { AuditLog } from '../security/second-factor';
import { LogMatcher } from './matcher';

/** One configured pattern, ready to use (its regex lives in the matcher's worker). */
export interface LogRule {
  readonly name: string;
  readonly source: string;
  readonly flags: string;
  readonly containers: readonly NamePattern[];
  readonly contextLines: number;
  readonly rateLimitMs: number;
  readonly action: 'none' | 'restart';
  readonly maxRestartsPerHour: number;
}

export interface LogWatchDeps {
  readonly docker: DockerPort & DockerLogFollowPort;
  readonly engine: Pick<AlertEngine, 'fire' | 'resolve'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** The Logs screen's sanitising (control characters out, secrets masked). */
  readonly sanitise: (text: string) => string;
  /** Where restarts by `action: restart` are recorded. */
  readonly audit: AuditLog | undefined;
  /** Told about a restart by `action: restart`, so it does not alert as a crash. */
  readonly expected?: Pick<ExpectedChanges, 'expect' | 'settle'> | undefined;
  readonly rules: readonly LogRule[];
  readonly maxLineBytes: number;
  readonly matchTimeoutMs: number;
  readonly maxContainers: number;
}

/** The label that opts a container in (`true`, or pattern names) or out (`false`). */
export const LOGWATCH_LABEL = 'tmbot.logwatch';
/** Lines remembered per container for context (each clipped to {@link CONTEXT_CHARS}). */
const RING = 32;
const CONTEXT_CHARS = 500;
/** Bytes of lines waiting for the matcher at most (lines beyond are dropped and counted). */
const QUEUE_BYTES = 16 * 1024 * 1024;
/** How often open log alerts are checked for going quiet. */
const SWEEP_MS = 5000;
/** A pattern that was cut off by the time bound rests this long for that container. */
const PAUSE_MS = 3600_000;
const HOUR_MS = 3600_000;
/** How long a restart by `action: restart` may take before its events alert again. */
const RESTART_WINDOW_MS = 60_000;
/** Late events of a finished restart are still expected this long. */
const RESTART_GRACE_MS = 10_000;
/** The audit log's user id for what the daemon does by itself. */
const DAEMON_USER = 0;

interface Followed {
  readonly host: number;
  readonly id: string;
  name: string;
  readonly mask: number;
  readonly abort: AbortController;
  /** Newest lines, oldest first; `seq` is the number of the last one. */
  readonly ring: string[];
  seq: number;
  readonly paused: Map<number, number>;
}

interface Tag {
  readonly f: Followed;
  readonly seq: number;
}

/** Rate-limit state of one container and pattern with an open alert. */
interface Window {
  readonly hostLabel: string;
  readonly target: string;
  readonly rule: LogRule;
  firedAt: number;
  lastAt: number;
  count: number;
  facts: LogPatternFacts;
}

/**
 * Follows the logs of the containers the patterns select on every Docker host and
 * alerts through the alert engine: at most one alert per container and pattern per
 * rate window (later matches are counted into it), redacted lines with context, an
 * optional restart within an hourly budget. Containers come and go with the Docker
 * events the alert source already reads ({@link event}, {@link sync}).
 */
export class LogWatch {
  private readonly followed = new Map<string, Followed>();
  private readonly windows = new Map<string, Window>();
  private readonly restarts = new Map<string, number[]>();
  private readonly full = new Set<number>();
  private matcher: LogMatcher<Tag> | undefined;
  private sweep: Timer | undefined;

  constructor(private readonly deps: LogWatchDeps) {}

  start(): void {
    if (this.matcher !== undefined || this.deps.rules.length === 0) return;
    this.matcher = new LogMatcher<Tag>({
      patterns: this.deps.rules.map((r) => ({ source: r.source, flags: r.flags })),
      clock: this.deps.clock,
      timeoutMs: this.deps.matchTimeoutMs,
      maxQueue: Math.max(1000, Math.floor(QUEUE_BYTES / this.deps.maxLineBytes)),
      onMatch: (tag, line, p) => this.matched(tag, line, p, false),
      onTimeout: (tag, line, p) => this.matched(tag, line, p, true),
    });
    this.sweep = this.deps.clock.setInterval(() => this.expire(), SWEEP_MS);
  }

  async stop(): Promise<void> {
    for (const f of this.followed.values()) f.abort.abort();
    this.followed.clear();
    this.sweep?.cancel();
    this.sweep = undefined;
    const m = this.matcher;
    this.matcher = undefined;
    await m?.close();
  }

  /** Containers followed now. */
  get following(): number {
    return this.followed.size;
  }

  /** The matcher's counters (lines, matches, drops, cut-offs), zero before start. */
  stats(): { lines: number; matched: number; dropped: number; timeouts: number } {
    const s = this.matcher?.stats;
    return {
      lines: s?.lines ?? 0,
      matched: s?.matched ?? 0,
      dropped: s?.dropped ?? 0,
      timeouts: s?.timeouts ?? 0,
    };
  }

  /** The patterns (as a bit mask) that apply to a container with this name and these labels. */
  maskFor(name: string, labels: Readonly<Record<string, string>>): number {
    const label = (labels[LOGWATCH_LABEL] ?? '').trim().toLowerCase();
    if (label === 'false') return 0;
    const named = label.split(',').map((s) => s.trim());
    let mask = 0;
    this.deps.rules.forEach((r, i) => {
      if (
        label === 'true' ||
        named.includes(r.name.toLowerCase()) ||
        r.containers.some((p) => p.test(name))
      )
        mask |= 1 << i;
    });
    return mask;
  }

  /** A Docker event from host `host`: a start (re)opens the container's log, a destroy closes it. */
  event(host: number, e: DockerEvent): void {
    if (e.type !== 'container' || this.matcher === undefined) return;
    const key = `${host}/${e.id}`;
    const name = e.attributes.name ?? e.id.slice(0, 12);
    if (e.action === 'start') {
      // A restart: the old stream may not have noticed its end yet; the new one replaces it.
      this.followed.get(key)?.abort.abort();
      this.followed.delete(key);
      // Lines written between the start and the follow opening are read too.
      this.follow(host, e.id, name, e.attributes, Math.floor(e.time / 1000));
    } else if (e.action === 'destroy') {
      this.followed.get(key)?.abort.abort();
      this.followed.delete(key);
    } else if (e.action === 'rename') {
      const f = this.followed.get(key);
      if (f !== undefined) f.name = name;
    }
  }

  /** After a (re)connect of host `host`'s events: follows every running selected container. */
  async sync(host: number): Promise<void> {
    if (this.matcher === undefined) return;
    const list = await this.deps.docker.listContainers(host);
    const running = new Set<string>();
    for (const c of list) {
      if (c.state !== 'running') continue;
      running.add(c.id);
      this.follow(host, c.id, c.name, c.labels ?? {}, undefined);
    }
    for (const [key, f] of this.followed)
      if (f.host === host && !running.has(f.id)) {
        f.abort.abort();
        this.followed.delete(key);
      }
  }

  private follow(
    host: number,
    id: string,
    name: string,
    labels: Readonly<Record<string, string>>,
    since: number | undefined,
  ): void {
    const key = `${host}/${id}`;
    const mask = this.maskFor(name, labels);
    if (mask === 0 || this.followed.has(key)) return;
    const onHost = [...this.followed.values()].filter((f) => f.host === host).length;
    if (onHost >= this.deps.maxContainers) {
      if (!this.full.has(host))
        this.deps.log.warn(
          `log patterns: ${this.deps.maxContainers} containers followed on host ${host}; more are left out (alerts.log_watch.max_containers)`,
        );
      this.full.add(host);
      return;
    }
    const f: Followed = {
      host,
      id,
      name,
      mask,
      abort: new AbortController(),
      ring: [],
      seq: 0,
      paused: new Map(),
    };
    this.followed.set(key, f);
    this.deps.docker
      .followLogs(host, id, {
        ...(since !== undefined ? { since } : {}),
        signal: f.abort.signal,
        maxLineBytes: this.deps.maxLineBytes,
        onLine: (line) => this.line(f, line),
        backpressure: () => this.matcher?.room(),
      })
      .catch((err: unknown) =>
        this.deps.log.debug(`log patterns: cannot follow ${name}`, { error: err }),
      )
      .finally(() => {
        // Ended: the container stopped or the engine went away; a start or a sync opens it again.
        if (this.followed.get(key) === f) this.followed.delete(key);
      });
  }

  private line(f: Followed, line: string): void {
    if (line.trim() === '') return;
    f.seq++;
    f.ring.push(line.length > CONTEXT_CHARS ? line.slice(0, CONTEXT_CHARS) : line);
    if (f.ring.length > RING) f.ring.shift();
    this.matcher?.push({ f, seq: f.seq }, line, f.paused.size === 0 ? f.mask : this.unpaused(f));
  }

  /** The container's mask without the patterns resting after a cut-off (those are not even tried). */
  private unpaused(f: Followed): number {
    const now = this.deps.clock.now();
    let mask = f.mask;
    for (const [p, until] of f.paused) {
      if (until <= now) f.paused.delete(p);
      else mask &= ~(1 << p);
    }
    return mask;
  }

  /** The matching line with up to `n` lines before it that are still remembered. */
  private context(tag: Tag, line: string, n: number): string[] {
    const { f, seq } = tag;
    const firstInRing = f.seq - f.ring.length + 1;
    const before: string[] = [];
    for (let s = Math.max(seq - n, firstInRing); s < seq; s++) {
      const l = f.ring[s - firstInRing];
      if (l !== undefined) before.push(l);
    }
    return [...before, line.length > CONTEXT_CHARS ? line.slice(0, CONTEXT_CHARS) : line];
  }

  private matched(tag: Tag, line: string, p: number, cutOff: boolean): void {
    const rule = this.deps.rules[p];
    const { f } = tag;
    if (rule === undefined) return;
    const now = this.deps.clock.now();
    if ((f.paused.get(p) ?? 0) > now) return;
    if (cutOff) {
      f.paused.set(p, now + PAUSE_MS);
      this.deps.log.warn(
        `log patterns: '${rule.name}' took longer than ${this.deps.matchTimeoutMs} ms on a line of ${f.name}; cut off and paused there for an hour`,
      );
    }
    const hostLabel = this.deps.docker.hosts[f.host]?.label ?? String(f.host);
    const target = `${f.name}/${rule.name}`;
    const key = JSON.stringify([f.host, target]);
    const w = this.windows.get(key);
    if (w !== undefined && now - w.firedAt < rule.rateLimitMs) {
      w.count++;
      w.lastAt = now;
      w.facts = { ...w.facts, count: w.count };
      this.deps.engine.fire({ target, host: hostLabel, facts: w.facts });
      return;
    }
    if (w !== undefined) this.deps.engine.resolve('log_pattern', hostLabel, target, true);
    const lines = this.deps
      .sanitise(this.context(tag, line, rule.contextLines).join('\n'))
      .split('\n');
    const facts: LogPatternFacts = {
      kind: 'log_pattern',
      container: f.name,
      pattern: rule.name,
      lines,
      count: 1,
      ...(cutOff ? { cutOff } : {}),
    };
    const win: Window = { hostLabel, target, rule, firedAt: now, lastAt: now, count: 1, facts };
    this.windows.set(key, win);
    if (rule.action === 'restart' && !cutOff) void this.restart(f, win, key);
    else this.deps.engine.fire({ target, host: hostLabel, facts });
  }

  /** `action: restart` within its hourly budget, audited; the alert says what happened. */
  private async restart(f: Followed, w: Window, key: string): Promise<void> {
    const now = this.deps.clock.now();
    const recent = (this.restarts.get(key) ?? []).filter((t) => now - t < HOUR_MS);
    let action: NonNullable<LogPatternFacts['action']> = 'budget-spent';
    if (recent.length < w.rule.maxRestartsPerHour) {
      recent.push(now);
      this.deps.expected?.expect(w.hostLabel, [f.name], RESTART_WINDOW_MS);
      action = await this.deps.docker.act(f.host, f.id, 'restart').then(
        () => 'restarted' as const,
        (err: unknown) => {
          this.deps.log.warn(`log patterns: could not restart ${f.name}`, { error: err });
          return 'restart-failed' as const;
        },
      );
      this.deps.expected?.settle(w.hostLabel, [f.name], RESTART_GRACE_MS);
      await this.deps.audit
        ?.record({
          userId: DAEMON_USER,
          action: 'logwatch.restart',
          target: `${w.hostLabel}/${f.name}`,
          outcome: action === 'restarted' ? 'ok' : 'failed',
          detail: `log pattern ${w.rule.name}`,
        })
        .catch((err: unknown) => this.deps.log.warn('audit write failed', { error: err }));
    }
    this.restarts.set(key, recent);
    w.facts = { ...w.facts, count: w.count, action };
    this.deps.engine.fire({ target: w.target, host: w.hostLabel, facts: w.facts });
  }

  /** Alerts with no match for a whole rate window end quietly (their message is edited). */
  private expire(): void {
    const now = this.deps.clock.now();
    for (const [key, w] of this.windows) {
      if (now - w.lastAt < w.rule.rateLimitMs) continue;
      this.windows.delete(key);
      this.deps.engine.resolve('log_pattern', w.hostLabel, w.target, true);
    }
  }
}
