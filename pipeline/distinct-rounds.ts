// Requests committed together must come out as if they had come one by one: two of one key (the
// same Idempotency-Key, the same ISA13) in one group are taken in turn, the later seeing the
// earlier's answer. Rounds of distinct keys give that order.

/**
 * The items' indexes in rounds of distinct keys, each round keeping arrival order: a key's first
 * item in the first round, its second in the second, and so on.
 */
export function distinctRounds<T>(items: readonly T[], keyOf: (item: T) => string): number[][] {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(index);
  });
  return rounds;
}
