// Reads a JSON document through the field specs of a webhook map (JSON pointers, alternatives,
// joins) and remembers every pointer it used, so that what no map field read can be kept as extras.

/** A pointer; a list of specs, the first present wins; the present values joined; or every present value. */
export type Field = string | { join: string[] } | { all: string[] } | Field[];

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

const unescape = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer.slice(1).split('/').map(unescape);
}

export function readPointer(document: unknown, pointer: string): unknown {
  let at = document;
  for (const token of tokens(pointer)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[token];
  }
  return at;
}

/** A copy of the document without the values at the given pointers, without nulls, and without what that left empty. */
export function withoutPointers(document: unknown, pointers: Iterable<string>): unknown {
  const copy = structuredClone(document);
  for (const pointer of pointers) {
    const path = tokens(pointer);
    const last = path.pop();
    const parent = readPointer(copy, path.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));
    if (last !== undefined && parent !== null && typeof parent === 'object' && !Array.isArray(parent))
      delete (parent as Record<string, unknown>)[last];
  }
  return prune(copy, document);
}

function prune(value: unknown, original: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => prune(v, (original as unknown[])[i]));
  const kept = Object.entries(value).flatMap(([key, v]) => {
    const before = (original as Record<string, unknown>)[key];
    const after = prune(v, before);
    const emptied =
      after !== null &&
      typeof after === 'object' &&
      !Array.isArray(after) &&
      Object.keys(after).length === 0 &&
      Object.keys(before as object).length > 0;
    return after === null || emptied ? [] : [[key, after] as const];
  });
  return Object.fromEntries(kept);
}

export class Reader {
  constructor(
    private readonly document: unknown,
    private readonly prefix = '',
    readonly used = new Set<string>(),
  ) {}

  /** The same document seen from a pointer down (a party's object...), recording into the same set. */
  within(pointer: string): Reader | undefined {
    const value = readPointer(this.document, this.prefix + pointer);
    return value !== null && typeof value === 'object' ? new Reader(this.document, this.prefix + pointer, this.used) : undefined;
  }

  /** The pointer (from the document's root) a field would be reported at: its first alternative. */
  where(field: Field): string {
    if (typeof field === 'string') return this.prefix + field;
    if (Array.isArray(field)) return field.length === 0 ? this.prefix : this.where(field[0] as Field);
    return this.prefix + ('join' in field ? field.join[0] : field.all[0]);
  }

  value(field: Field): unknown {
    if (typeof field === 'string') return this.take(field);
    if (Array.isArray(field)) {
      for (const alternative of field) {
        const value = this.value(alternative);
        if (present(value)) return value;
      }
      return undefined;
    }
    const values = ('join' in field ? field.join : field.all).map((pointer) => this.take(pointer)).filter(present);
    if (values.length === 0) return undefined;
    return 'join' in field ? values.map(String).join(' ') : values;
  }

  text(field: Field | undefined): string | undefined {
    if (field === undefined) return undefined;
    const value = this.value(field);
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  }

  texts(field: Field | undefined): string[] | undefined {
    if (field === undefined) return undefined;
    const value = this.value(field);
    const list = (Array.isArray(value) ? value : [value]).filter(present).map(String);
    return list.length === 0 ? undefined : list;
  }

  /** Shops write money as strings ("18.00"); a value that is not a number is NaN, for the caller to report. */
  number(field: Field): number | undefined {
    const value = this.value(field);
    if (!present(value)) return undefined;
    if (typeof value === 'number') return value;
    return typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  }

  /** A list claimed whole: its items are read by readers of their own. */
  list(pointer: string): unknown[] {
    const value = this.take(pointer);
    return Array.isArray(value) ? value : [];
  }

  private take(pointer: string): unknown {
    const value = readPointer(this.document, this.prefix + pointer);
    if (present(value)) this.used.add(this.prefix + pointer);
    return value;
  }
}
