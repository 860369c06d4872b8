import type { Clock } from '../../clock';
import type { StateStore } from '../../state/json-store';

/** The state document of safe image updates (pins, rollbacks, the update in progress). */
export const UPDATES_FILE = 'image-updates.json';
/** Entries kept per kind at most; the oldest go first. */
const MAX_ENTRIES = 500;

/** A container's image kept at one version: no update is offered. */
export interface Pin {
  readonly host: string;
  readonly name: string;
  /** The repo digest (or, for an image without one, the image id) pinned. */
  readonly digest: string;
  readonly at: number;
  readonly by: number;
}

/** The image a container ran before its last update, kept for "Roll back" until `until`. */
export interface Rollback {
  readonly host: string;
  readonly name: string;
  readonly ref: string;
  readonly oldImageId: string;
  readonly newImageId: string;
  readonly at: number;
  readonly until: number;
}

/**
 * An update under way, written before the old container is touched: after a crash the
 * next start puts the old container back (docs/updates.md).
 */
export interface Journal {
  readonly host: string;
  readonly name: string;
  readonly oldId: string;
  /** The old container's name while the new one runs. */
  readonly keptAs: string;
  readonly wasRunning: boolean;
  /** Set once the new container exists. */
  readonly newId?: string;
  readonly at: number;
}

/** The containers unattended updates tried in one maintenance window ("host label/name"). */
interface AutoTried {
  /** The window's `startedAt`. */
  window: number;
  tried: string[];
}

interface Doc {
  v: 1;
  pins: Pin[];
  rollbacks: Rollback[];
  running: Journal[];
  /** Absent in documents from before it was kept. */
  auto?: AutoTried;
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length <= 512;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const rec = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

const isPin = (v: unknown): v is Pin => {
  const p = rec(v);
  return str(p.host) && str(p.name) && str(p.digest) && num(p.at) && num(p.by);
};
const isRollback = (v: unknown): v is Rollback => {
  const r = rec(v);
  return (
    str(r.host) &&
    str(r.name) &&
    str(r.ref) &&
    str(r.oldImageId) &&
    str(r.newImageId) &&
    num(r.at) &&
    num(r.until)
  );
};
const isJournal = (v: unknown): v is Journal => {
  const j = rec(v);
  return (
    str(j.host) &&
    str(j.name) &&
    str(j.oldId) &&
    str(j.keptAs) &&
    typeof j.wasRunning === 'boolean' &&
    (j.newId === undefined || str(j.newId)) &&
    num(j.at)
  );
};
const autoTried = (v: unknown): AutoTried | undefined => {
  const a = rec(v);
  return num(a.window) && Array.isArray(a.tried)
    ? { window: a.window, tried: a.tried.filter(str).slice(-MAX_ENTRIES) }
    : undefined;
};
const isDoc = (v: unknown): v is Doc =>
  rec(v).v === 1 && [rec(v).pins, rec(v).rollbacks, rec(v).running].every((a) => Array.isArray(a));

const same = (a: { host: string; name: string }, host: string, name: string): boolean =>
  a.host === host && a.name === name;

/**
 * Pins, rollbacks, the journal and the unattended updates of the current maintenance
 * window, by host label and container name, persisted on every change.
 */
export class UpdateState {
  private readonly doc: Doc;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {
    const saved = store.read(UPDATES_FILE, isDoc);
    this.doc = {
      v: 1,
      pins: (saved?.pins ?? []).filter(isPin),
      rollbacks: (saved?.rollbacks ?? []).filter(isRollback),
      running: (saved?.running ?? []).filter(isJournal),
    };
    const auto = autoTried(saved?.auto);
    if (auto !== undefined) this.doc.auto = auto;
  }

  /** Whether an unattended update of the container was tried in the window that began at `window`. */
  autoTried(window: number, host: string, name: string): boolean {
    const a = this.doc.auto;
    return a !== undefined && a.window === window && a.tried.includes(`${host}/${name}`);
  }

  /** Remembers (on disk, before the update begins) that the container's turn in `window` is used. */
  markAutoTried(window: number, host: string, name: string): Promise<void> {
    const kept = this.doc.auto?.window === window ? this.doc.auto.tried : [];
    this.doc.auto = { window, tried: [...kept, `${host}/${name}`].slice(-MAX_ENTRIES) };
    return this.save();
  }

  pin(host: string, name: string): Pin | undefined {
    return this.doc.pins.find((p) => same(p, host, name));
  }

  setPin(pin: Pin | { host: string; name: string; digest: undefined }): Promise<void> {
    this.doc.pins = this.doc.pins.filter((p) => !same(p, pin.host, pin.name));
    if (pin.digest !== undefined) this.doc.pins = [...this.doc.pins, pin].slice(-MAX_ENTRIES);
    return this.save();
  }

  /** The rollback of a container while it is still offered. */
  rollback(host: string, name: string): Rollback | undefined {
    const r = this.doc.rollbacks.find((x) => same(x, host, name));
    return r !== undefined && r.until > this.clock.now() ? r : undefined;
  }

  setRollback(r: Rollback | { host: string; name: string; until: undefined }): Promise<void> {
    const now = this.clock.now();
    this.doc.rollbacks = this.doc.rollbacks.filter(
      (x) => !same(x, r.host, r.name) && x.until > now,
    );
    if (r.until !== undefined) this.doc.rollbacks = [...this.doc.rollbacks, r].slice(-MAX_ENTRIES);
    return this.save();
  }

  journals(): readonly Journal[] {
    return this.doc.running;
  }

  setJournal(j: Journal): Promise<void> {
    this.doc.running = [...this.doc.running.filter((x) => !same(x, j.host, j.name)), j].slice(
      -MAX_ENTRIES,
    );
    return this.save();
  }

  clearJournal(host: string, name: string): Promise<void> {
    this.doc.running = this.doc.running.filter((x) => !same(x, host, name));
    return this.save();
  }

  private save(): Promise<void> {
    return this.store.write(UPDATES_FILE, this.doc);
  }
}
