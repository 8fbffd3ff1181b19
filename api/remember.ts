/**
 * A lookup remembered for a few seconds, per process: for reads on every request (a key's
 * principal, a partner's X12 identity) that change rarely and may show a change that much later.
 * `keep` says which answers are worth remembering (an unknown key is not: it may be issued a moment later).
 */
export function remembered<K, V>(
  load: (key: K) => Promise<V>,
  options: { ttlMs: number; max: number; keep?: (value: V) => boolean },
): (key: K) => Promise<V> {
  const entries = new Map<K, { value: V; until: number }>();
  return async (key) => {
    const now = Date.now();
    const hit = entries.get(key);
    if (hit !== undefined && hit.until > now) return hit.value;
    const value = await load(key);
    if (entries.size >= options.max) entries.clear();
    if (options.keep?.(value) ?? true) entries.set(key, { value, until: now + options.ttlMs });
    return value;
  };
}
