import { performance } from 'node:perf_hooks';
import { setImmediate as turn } from 'node:timers/promises';

// Work over an interchange of any size, done in slices: after each slice's time budget the event
// loop gets a turn, so the server keeps answering everyone else (/healthz, other partners) while
// one partner's 100,000 sets are read, checked and answered.

/** What one slice may take before the loop gets a turn: well under what a waiting request notices. */
export const sliceBudgetMs = 10;

/** Runs `each` over `items` in order, yielding to the event loop whenever a slice's budget is spent. */
export async function inSlices<T>(items: ArrayLike<T>, each: (item: T, index: number) => void, budgetMs = sliceBudgetMs): Promise<void> {
  let sliceEnds = performance.now() + budgetMs;
  for (let index = 0; index < items.length; index++) {
    each(items[index] as T, index);
    if (performance.now() >= sliceEnds) {
      await turn();
      sliceEnds = performance.now() + budgetMs;
    }
  }
}

/** Gives the event loop a turn when the slice that started at `since` has spent its budget; the new slice's start. */
export async function yieldIfSpent(since: number, budgetMs = sliceBudgetMs): Promise<number> {
  if (performance.now() - since < budgetMs) return since;
  await turn();
  return performance.now();
}
