// Requests committed together must come out as if they had come one by one: two of one key (the
// same Idempotency-Key, the same ISA13) in one group are taken in turn, the later seeing the
// earlier's answer. Rounds of distinct keys give that order.

/**
 * `run` over the items in rounds of distinct keys, each round in arrival order (a key's first item
 * in the first round, its second in the second, and so on); the outcomes in the items' order.
 */
export async function inDistinctRounds<T, R>(
  items: readonly T[],
  keyOf: (item: T) => string,
  run: (round: T[]) => Promise<R[]>,
): Promise<R[]> {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(index);
  });
  const outcomes: R[] = [];
  for (const round of rounds) {
    const decided = await run(round.map((index) => items[index] as T));
    round.forEach((index, n) => {
      outcomes[index] = decided[n] as R;
    });
  }
  return outcomes;
}
