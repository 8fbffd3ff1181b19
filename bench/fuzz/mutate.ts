import type { Random } from './random.ts';

// Mutations that know nothing of the format: they work on the bytes as sent. Each returns the new
// bytes and a short name for the label that says how an input was made (and groups findings).

export interface Mutated {
  body: Buffer;
  name: string;
}

/** Bytes tokenizers and parsers care about, tried more often than chance would. */
const interesting = Buffer.from('*~|>:^\n\r <>/="&;#{}[],\\\'-.0 9AZaz', 'latin1');
const oddBytes = [0x00, 0x1d, 0x1f, 0x15, 0x7f, 0x80, 0x85, 0xc0, 0xc3, 0xed, 0xef, 0xfe, 0xff];

/** Invalid UTF-8 and the characters PostgreSQL refuses in text and JSON, as raw bytes. */
const nastyBytes: Buffer[] = [
  Buffer.from([0x00]),
  Buffer.from([0xed, 0xa0, 0x80]), // a surrogate (U+D800) encoded as UTF-8: invalid UTF-8
  Buffer.from([0xed, 0xbf, 0xbf]),
  Buffer.from([0xc0, 0x80]), // over-long NUL
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xef, 0xbb, 0xbf]), // a BOM in the middle
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), // beyond U+10FFFF
];

const at = (rng: Random, body: Buffer): number => rng.int(0, body.length);

/** How many mutations an input gets: mostly one, sometimes none (the document as generated), up to three. */
export const mutationCount = (rng: Random): number =>
  rng.weighted([
    [2, 0],
    [5, 1],
    [2, 2],
    [1, 3],
  ] as const);

export function mutateBytes(rng: Random, body: Buffer, maxBytes: number): Mutated {
  const kind = rng.weighted([
    [4, 'flip'],
    [3, 'interesting'],
    [2, 'truncate'],
    [2, 'delete'],
    [2, 'duplicate'],
    [1, 'insert-random'],
    [2, 'nasty'],
    [1, 'repeat'],
  ] as const);
  switch (kind) {
    case 'flip': {
      const copy = Buffer.from(body);
      const flips = rng.int(1, 8);
      for (let i = 0; i < flips && copy.length > 0; i += 1) {
        const p = rng.int(0, copy.length - 1);
        copy[p] = rng.chance(0.5) ? (copy[p] as number) ^ (1 << rng.int(0, 7)) : rng.pick(oddBytes);
      }
      return { body: copy, name: 'bytes:flip' };
    }
    case 'interesting': {
      const copy = Buffer.from(body);
      const count = rng.int(1, 4);
      for (let i = 0; i < count && copy.length > 0; i += 1) copy[rng.int(0, copy.length - 1)] = rng.pick([...interesting]);
      return { body: copy, name: 'bytes:interesting' };
    }
    case 'truncate':
      return { body: body.subarray(0, at(rng, body)), name: 'bytes:truncate' };
    case 'delete': {
      const from = at(rng, body);
      const to = Math.min(body.length, from + rng.logInt(1, 2000));
      return { body: Buffer.concat([body.subarray(0, from), body.subarray(to)]), name: 'bytes:delete' };
    }
    case 'duplicate': {
      const from = at(rng, body);
      const slice = body.subarray(from, Math.min(body.length, from + rng.logInt(1, 2000)));
      const to = at(rng, body);
      return { body: Buffer.concat([body.subarray(0, to), slice, body.subarray(to)]), name: 'bytes:duplicate' };
    }
    case 'insert-random': {
      const insert = Buffer.alloc(rng.logInt(1, 64));
      for (let i = 0; i < insert.length; i += 1) insert[i] = rng.next() & 0xff;
      const p = at(rng, body);
      return { body: Buffer.concat([body.subarray(0, p), insert, body.subarray(p)]), name: 'bytes:insert' };
    }
    case 'nasty': {
      const insert = rng.pick(nastyBytes);
      const p = at(rng, body);
      const replace = rng.chance(0.5) ? insert.length : 0;
      return { body: Buffer.concat([body.subarray(0, p), insert, body.subarray(Math.min(body.length, p + replace))]), name: 'bytes:nasty' };
    }
    case 'repeat':
      return repeatSlice(rng, body, maxBytes);
  }
}

/** A slice of the body repeated in place until the body is a size spread over 10 KB … maxBytes. */
export function repeatSlice(rng: Random, body: Buffer, maxBytes: number): Mutated {
  if (body.length === 0) return { body, name: 'bytes:repeat' };
  const from = rng.int(0, body.length - 1);
  const slice = body.subarray(from, Math.min(body.length, from + rng.logInt(1, 200)));
  const target = rng.logInt(10_000, maxBytes);
  const times = Math.max(1, Math.floor((target - body.length) / slice.length));
  return {
    body: Buffer.concat([body.subarray(0, from), Buffer.alloc(slice.length * times, slice), body.subarray(from)]),
    name: 'bytes:repeat',
  };
}

/** Text that is hard for the layers behind a parser: NUL, lone surrogates, odd whitespace, very long. */
export function nastyString(rng: Random): { value: string; name: string } {
  return rng.weighted([
    [3, () => ({ value: `A\u0000B`, name: 'nul' })],
    [3, () => ({ value: `x\ud800y`, name: 'lone-surrogate' })],
    [1, () => ({ value: `\udfff`, name: 'lone-surrogate' })],
    [2, () => ({ value: 'X'.repeat(rng.logInt(41, 100_000)), name: 'over-long' })],
    [1, () => ({ value: '', name: 'empty' })],
    [1, () => ({ value: ' \t\u2028\u00a0 ', name: 'whitespace' })],
    [1, () => ({ value: '😀'.repeat(rng.int(1, 300)), name: 'astral' })],
    [1, () => ({ value: "'; DROP TABLE orders; --", name: 'sql' })],
    [1, () => ({ value: '%s%n%x{{7*7}}${7*7}', name: 'format' })],
  ] as const)();
}

/** Mutations compound (a long string repeated, then the array of it repeated): keep what is sent near the gateway's limit. */
export function capped(body: Buffer, maxBytes: number, names: string[]): Buffer {
  const most = maxBytes + 64 * 1024;
  if (body.length <= most) return body;
  names.push('capped');
  return body.subarray(0, most);
}
