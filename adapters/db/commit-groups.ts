import { isDatabaseUnavailable } from './availability.ts';

// Group commit: what arrives while the writers are busy waits, and the next free writer takes all
// of it (up to a cap) into one transaction, so that under load one commit and one statement per
// kind of row serve many requests, and an idle gateway adds no wait at all (a request that finds a
// writer free goes at the next turn of the event loop, with whatever came in the same turn).

export interface CommitGroupOptions {
  /** Transactions in flight at once: each holds a pooled connection while it runs. */
  writers: number;
  /** Requests in one transaction at most. */
  maxItems: number;
}

export interface CommitGroups<T, R> {
  /** Resolves with the item's own outcome once the transaction that holds it has committed. */
  submit(item: T): Promise<R>;
}

interface Waiting<T, R> {
  item: T;
  resolve(outcome: R): void;
  reject(error: unknown): void;
}

/**
 * `run` writes a group in one transaction and returns each item's outcome in the same order. When
 * it fails for a group of several, each is run again alone, so that one request's failure (a row
 * the database refuses) fails only that request; a failure alone is that request's, and the
 * database out of reach is every request's at once. `onGroup` is
 * told each group's size as it starts.
 */
export function commitGroups<T, R>(
  run: (items: T[]) => Promise<R[]>,
  options: CommitGroupOptions,
  onGroup: (size: number) => void = () => undefined,
): CommitGroups<T, R> {
  const waiting: Waiting<T, R>[] = [];
  let writing = 0;
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(start);
  };

  function start(): void {
    scheduled = false;
    while (writing < options.writers && waiting.length > 0) {
      writing += 1;
      const group = waiting.splice(0, options.maxItems);
      onGroup(group.length);
      void write(group).finally(() => {
        writing -= 1;
        if (waiting.length > 0) schedule();
      });
    }
  }

  async function write(group: Waiting<T, R>[]): Promise<void> {
    try {
      const outcomes = await run(group.map((w) => w.item));
      group.forEach((w, index) => w.resolve(outcomes[index] as R));
    } catch (error) {
      // A database out of reach fails every request alike: none is worth a try of its own.
      if (group.length === 1 || isDatabaseUnavailable(error)) return group.forEach((w) => w.reject(error));
      for (const w of group) await write([w]);
    }
  }

  return {
    submit: (item) =>
      new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        schedule();
      }),
  };
}
