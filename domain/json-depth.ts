// A JSON body nested thousands of levels deep parses, but every recursive walk after it (canonical
// fingerprints, map pruning, validation) can exhaust the stack. Bodies are refused at a depth no
// real order, webhook or vendor reply comes near.
export const jsonDepthLimit = 64;

const escapeToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The JSON pointer of the first array or object nested deeper than `limit` (the root is depth 1),
 * or undefined. Iterative, so that the check itself cannot run out of stack.
 */
export function firstTooDeep(value: unknown, limit = jsonDepthLimit): string | undefined {
  const pending: { value: unknown; pointer: string; depth: number }[] = [{ value, pointer: '', depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > limit) return next.pointer;
    const children = Array.isArray(next.value) ? next.value.entries() : Object.entries(next.value);
    for (const [key, child] of children) {
      if (child !== null && typeof child === 'object')
        pending.push({ value: child, pointer: `${next.pointer}/${escapeToken(String(key))}`, depth: next.depth + 1 });
    }
  }
  return undefined;
}
