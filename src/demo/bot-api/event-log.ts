/** The ordered record of what the embedded Bot API server observed, with live subscribers. */
import type { EmulatorEvent } from './types';

/** Called synchronously for every event, in order. */
export type EventListener = (event: EmulatorEvent) => void;

/** A bounded event list (oldest dropped first) that tells subscribers about each new event. */
export class EventLog {
  /** Every event still kept, oldest first. */
  readonly events: EmulatorEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly max: number) {}

  /** Records an event and tells every subscriber; a throwing subscriber is dropped, never fatal. */
  emit(event: EmulatorEvent): void {
    this.events.push(event);
    if (this.events.length > this.max) this.events.splice(0, this.events.length - this.max);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  /** Follows new events until the returned function is called. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets recorded events (subscribers stay). */
  clear(): void {
    this.events.length = 0;
  }
}
