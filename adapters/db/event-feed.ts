import type { Database } from './connect.ts';
import {
  isAfter,
  matches,
  readSettledEvents,
  settledHead,
  type EventPosition,
  type StreamEvent,
  type StreamFilter,
} from './event-stream.ts';

export interface StreamTiming {
  /** How often the process's one poller reads newly settled events. */
  pollMs: number;
  /** How often an open stream carries a comment, so that proxies and clients see it alive. */
  heartbeatMs: number;
}

export const defaultStreamTiming: StreamTiming = { pollMs: 300, heartbeatMs: 15_000 };

export interface Listener {
  filter: StreamFilter;
  /** The last event this listener has; absent: it starts with the events settled after it joins. */
  position?: EventPosition;
  send(event: StreamEvent): void;
  /** Called when nothing was sent for the heartbeat interval. */
  beat(): void;
}

const page = 500;

/**
 * One poller per process reads the settled events once and hands each to the listeners it matches.
 * A listener that joins (or resumes from an old position) first catches up on its own, up to the
 * poller's position, inside the poller's turn: so nothing falls between its catch-up and the shared
 * reads, and each event reaches it once.
 */
export function eventFeed(db: Database, timing: StreamTiming, failed: (error: unknown) => void) {
  const joined = new Set<Listener>();
  // When each listener was last written to: the heartbeats ride on the poller's turns.
  const lastSent = new Map<Listener, number>();
  const joining = new Set<Listener>();
  let head: EventPosition | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const deliver = (listener: Listener, event: StreamEvent) => {
    if (listener.position !== undefined && !isAfter(event.position, listener.position)) return;
    listener.position = event.position;
    if (!matches(event, listener.filter)) return;
    listener.send(event);
    lastSent.set(listener, Date.now());
  };

  const beat = () => {
    const due = Date.now() - timing.heartbeatMs;
    for (const listener of joined) {
      if ((lastSent.get(listener) ?? 0) > due) continue;
      listener.beat();
      lastSent.set(listener, Date.now());
    }
  };

  async function turn(): Promise<void> {
    head ??= await settledHead(db);
    for (;;) {
      const events = await readSettledEvents(db, head, { limit: page });
      for (const event of events) for (const listener of joined) deliver(listener, event);
      const last = events.at(-1);
      if (last !== undefined) head = last.position;
      if (events.length < page) break;
    }
    for (const listener of joining) {
      const upTo = head;
      while (listener.position !== undefined && isAfter(upTo, listener.position) && joining.has(listener)) {
        const events = await readSettledEvents(db, listener.position, { limit: page, upTo, filter: listener.filter });
        for (const event of events) deliver(listener, event);
        // The filtered read skipped the rest up to upTo: none of them is this listener's.
        if (events.length < page) listener.position = upTo;
      }
      listener.position ??= upTo;
      if (joining.delete(listener)) {
        joined.add(listener);
        lastSent.set(listener, Date.now());
      }
    }
    beat();
  }

  function schedule(): void {
    if (stopped || timer !== undefined || joined.size + joining.size === 0) return;
    timer = setTimeout(() => {
      turn()
        .catch(failed)
        .finally(() => {
          timer = undefined;
          // Alone again: the next listener starts from what is settled then, not from a stale head.
          if (joined.size + joining.size === 0) head = undefined;
          schedule();
        });
    }, timing.pollMs);
  }

  return {
    /** Adds a listener; the function it returns removes it. */
    listen(listener: Listener): () => void {
      joining.add(listener);
      schedule();
      return () => {
        joining.delete(listener);
        joined.delete(listener);
        lastSent.delete(listener);
      };
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
      joined.clear();
      joining.clear();
      lastSent.clear();
    },
  };
}

export type EventFeed = ReturnType<typeof eventFeed>;
