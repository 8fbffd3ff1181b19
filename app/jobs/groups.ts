// Single calls gathered into groups, applied one group at a time per lane: a call waits up to
// `windowMs` for others to join it (or until `max` have), and the calls that come while a group is
// applied form the next one, which starts as soon as it ends. Calls are handed over in the order
// they came, and a key always takes the same lane, so work for one key never overtakes earlier
// work for it, while other keys' work goes on in the other lanes.

export interface GroupOptions {
  /** Calls in one group at most. */
  max: number;
  /** How long the first call of a group waits for others while no group is running. */
  windowMs: number;
  /** Groups applied at once, each key in one lane for good (1 when absent). */
  lanes?: number;
}

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** `apply` gets the group's items in order and answers one result per item, in the same order. */
export function grouped<I, R>(apply: (items: I[]) => Promise<R[]>, options: GroupOptions): (item: I) => Promise<R> {
  const waiting: Waiting<I, R>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const run = async (group: Waiting<I, R>[]): Promise<void> => {
    try {
      const results = await apply(group.map((w) => w.item));
      group.forEach((w, index) => {
        if (index < results.length) w.resolve(results[index] as R);
        else w.reject(new Error('the group gave no result for this call'));
      });
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  };

  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (running || waiting.length === 0) return;
    running = true;
    void run(waiting.splice(0, options.max)).finally(() => {
      running = false;
      // Those that came meanwhile have waited a group's time already.
      flush();
    });
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (running) return;
      if (waiting.length >= options.max) flush();
      else timer ??= setTimeout(flush, options.windowMs);
    });
}

/** `grouped` in `options.lanes` lanes, a call's lane chosen by its key. */
export function groupedByKey<I, R>(apply: (items: I[]) => Promise<R[]>, options: GroupOptions): (key: string, item: I) => Promise<R> {
  const lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => grouped(apply, options));
  return (key, item) => (lanes[laneOf(key, lanes.length)] as (item: I) => Promise<R>)(item);
}

function laneOf(key: string, lanes: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % lanes;
}
