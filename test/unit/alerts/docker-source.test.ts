import { EngineHttpError } from '../../../src/adapters/docker/engine-client';
import type { DockerEventsPort, EventSubscription } from '../../../src/adapters/docker/events-port';
import type { ContainerSummary, DockerPort } from '../../../src/adapters/docker/port';
import type { DockerAlertOptions } from '../../../src/alerts/docker-host';
import { DOCKER_ALERTS_FILE, DockerAlertSource } from '../../../src/alerts/docker-source';
import { compileNamePattern } from '../../../src/alerts/patterns';
import { ManualClock } from '../../../src/clock';
import { MemoryStore } from '../../support/memory-store';
import { silentLogger } from '../../support/silent-logger';

const HOST = 'tcp://engine.example:2376';
const RETRY_MS = 1000;
const POLL_MS = 5000;

/** An engine whose event stream answers each subscription with the next scripted outcome. */
class ScriptedEngine {
  readonly hosts = [{ index: 0, label: HOST }];
  subscriptions = 0;
  lists = 0;
  constructor(private readonly answers: (EngineHttpError | 'stream')[]) {}
  listContainers(): Promise<ContainerSummary[]> {
    this.lists++;
    return Promise.resolve([]);
  }
  subscribe(_host: number, sub: EventSubscription): Promise<void> {
    const answer = this.answers[Math.min(this.subscriptions++, this.answers.length - 1)];
    if (answer instanceof EngineHttpError) return Promise.reject(answer);
    // Streams until the source stops.
    return new Promise((resolve) => sub.signal.addEventListener('abort', () => resolve()));
  }
}

const options: DockerAlertOptions = {
  events: true,
  logLines: 10,
  restartLoop: { restarts: 3, minutes: 5 },
  stableMs: 2000,
  include: [],
  exclude: [],
  retryIntervalMs: RETRY_MS,
  retryAttempts: 3,
  pollIntervalMs: POLL_MS,
};

function source(engine: ScriptedEngine, clock: ManualClock): DockerAlertSource {
  const noAlerts = {
    fire: () => {
      throw new Error('no alert expected');
    },
    resolve: () => false,
    find: () => undefined,
    active: () => [],
  };
  return new DockerAlertSource({
    docker: engine as unknown as DockerPort & DockerEventsPort,
    engine: noAlerts,
    clock,
    log: silentLogger,
    sanitise: (t) => t,
    options,
    store: new MemoryStore(),
  });
}

describe('DockerAlertSource: an engine that answers the event stream with an HTTP error', () => {
  it('retries a server error (a 500 while the engine starts, a proxy 503) and then streams', async () => {
    const clock = new ManualClock();
    const engine = new ScriptedEngine([
      new EngineHttpError(500, 'starting up'),
      new EngineHttpError(503, 'Service Unavailable'),
      'stream',
    ]);
    const s = source(engine, clock);
    s.start();
    await clock.advanceAsync(0);
    expect(s.status()[0]?.state).toBe('unavailable');
    await clock.advanceAsync(RETRY_MS);
    await clock.advanceAsync(RETRY_MS);
    expect(engine.subscriptions).toBe(3);
    expect(s.status()[0]?.state).toBe('streaming');
    await s.stop();
  });

  it('polls instead when the engine or its proxy refuses the stream (403)', async () => {
    const clock = new ManualClock();
    const engine = new ScriptedEngine([new EngineHttpError(403, 'events are not allowed')]);
    const s = source(engine, clock);
    s.start();
    await clock.advanceAsync(0);
    expect(s.status()[0]?.state).toBe('polling');
    const lists = engine.lists;
    await clock.advanceAsync(POLL_MS);
    expect(engine.lists).toBe(lists + 1);
    expect(engine.subscriptions).toBe(1);
    await s.stop();
  });
});

/** Counts the writes of each state file. */
class CountingStore extends MemoryStore {
  readonly writes = new Map<string, number>();
  override write(name: string, value: unknown): Promise<void> {
    this.writes.set(name, (this.writes.get(name) ?? 0) + 1);
    return super.write(name, value);
  }
}

describe('DockerAlertSource: a burst of events', () => {
  it('saves the known containers once for the whole burst, not once per event', async () => {
    const clock = new ManualClock();
    const store = new CountingStore();
    const burst = {
      hosts: [{ index: 0, label: HOST }],
      listContainers: () => Promise.resolve([]),
      subscribe(_host: number, sub: EventSubscription): Promise<void> {
        for (let i = 0; i < 300; i++)
          sub.onEvent({
            type: 'container',
            action: 'create',
            id: `c${i}`,
            attributes: { name: `quiet-${i}` },
            time: 0,
            timeNano: String(i),
          });
        return new Promise((resolve) => sub.signal.addEventListener('abort', () => resolve()));
      },
    };
    const s = new DockerAlertSource({
      docker: burst as unknown as DockerPort & DockerEventsPort,
      engine: {
        fire: () => undefined as never,
        resolve: () => false,
        find: () => undefined,
        active: () => [],
      },
      clock,
      log: silentLogger,
      sanitise: (t) => t,
      // Nobody watches these: only the bookkeeping runs.
      options: { ...options, include: [compileNamePattern('watched-*')] },
      store,
    });
    s.start();
    await clock.advanceAsync(0);
    expect(s.status()[0]?.events).toBe(300);
    expect(store.writes.get(DOCKER_ALERTS_FILE) ?? 0).toBe(0);
    await clock.advanceAsync(1000);
    expect(store.writes.get(DOCKER_ALERTS_FILE)).toBe(1);
    const saved = JSON.parse(store.files.get(DOCKER_ALERTS_FILE) ?? '{}') as {
      hosts: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(saved.hosts[HOST] ?? {})).toHaveLength(300);
    await s.stop();
    expect(store.writes.get(DOCKER_ALERTS_FILE)).toBe(2);
  });
});
