import { readdirSync, readFileSync } from 'node:fs';
import { capped, mutateBytes, nastyString, repeatSlice, mutationCount } from '../mutate.ts';
import type { Random } from '../random.ts';
import type { Channel, FuzzContext, FuzzInput } from './channel.ts';
import { lineCount, sku } from './values.ts';

// X12: the public samples (adapters/x12/fixtures/samples, see its MANIFEST.tsv), the README's bundle
// 850, pyx12's truncated interchange, and 850s and 997s generated with varied delimiters; each
// readdressed to the campaign's partner pair under a control number of its own (so that most reach
// the guide and the map instead of TA1 R 006), then mutated by segment and element and as bytes.

const fixtures = new URL('../../../adapters/x12/fixtures/', import.meta.url);
const samples: { name: string; text: string }[] = [
  ...readdirSync(new URL('samples/', fixtures))
    .sort()
    .map((name) => ({ name, text: readFileSync(new URL(`samples/${name}`, fixtures), 'latin1') })),
  { name: '850-bundle.x12', text: readFileSync(new URL('850-bundle.x12', fixtures), 'latin1') },
  { name: 'pyx12-fail_no_IEA.txt', text: readFileSync(new URL('pyx12/pyx12-fail_no_IEA.txt', fixtures), 'latin1') },
];

interface Delimiters {
  element: string;
  component: string;
  segment: string;
  /** After each segment terminator: nothing, LF or CRLF. */
  suffix: string;
}

const delimiterSets: Delimiters[] = [
  { element: '*', component: '>', segment: '~', suffix: '\n' },
  { element: '*', component: ':', segment: '~', suffix: '' },
  { element: '|', component: '>', segment: '~', suffix: '\r\n' },
  { element: '^', component: '\\', segment: "'", suffix: '' },
  { element: '\u001d', component: '\u001f', segment: '\u001c', suffix: '' },
];

type Segment = string[];

const pad = (value: string, width: number) => value.slice(0, width).padEnd(width);
const control9 = (n: number) => String(n % 1_000_000_000).padStart(9, '0');

function isa(context: FuzzContext, control: number, d: Delimiters, version: string): Segment {
  const { qualifier, id, ourQualifier, ourId } = context.x12;
  return [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    qualifier,
    pad(id, 15),
    ourQualifier,
    pad(ourId, 15),
    '261127',
    '1200',
    version >= '00402' ? '^' : 'U',
    version,
    control9(control),
    ackRequested(control),
    'P',
    d.component,
  ];
}
/** ISA14 (acknowledgment requested) on some: a TA1 then comes back too. */
const ackRequested = (control: number) => (control % 7 === 0 ? '1' : '0');

function po850(rng: Random, ref: string): Segment[][] {
  const body: Segment[] = [['BEG', '00', rng.pick(['SA', 'NE', 'DS']), ref, '', '20261127']];
  if (rng.chance(0.5)) body.push(['CUR', 'BY', rng.pick(['USD', 'EUR'])]);
  if (rng.chance(0.4)) body.push(['DTM', rng.pick(['002', '010', '001']), rng.pick(['20261215', '20260230', '99999999', '2026121'])]);
  body.push(['N1', 'ST', 'Acme DC', '92', 'DC-01'], ['N3', '1 Main St'], ['N4', 'Springfield', 'IL', '62701', 'US']);
  const count = lineCount(rng);
  for (let n = 1; n <= count; n += 1) {
    body.push(['PO1', String(n), String(rng.int(1, 20)), 'EA', (rng.int(0, 10_000) / 100).toString(), '', 'VN', sku(rng)]);
    if (rng.chance(0.3)) body.push(['PID', 'F', '', '', '', `Item ${n}`]);
    if (rng.chance(0.1))
      for (let s = 1; s <= rng.int(1, 3); s += 1) body.push(['SLN', String(s), '', 'I', '1', 'EA', '', '', '', '', 'VN', sku(rng)]);
  }
  body.push(['CTT', String(count)]);
  return [body];
}

function ack997(rng: Random): Segment[][] {
  const sets = rng.int(1, 3);
  const body: Segment[] = [['AK1', 'PR', String(rng.int(1, 999))]];
  for (let s = 1; s <= sets; s += 1) {
    body.push(['AK2', rng.pick(['855', '856', '810']), String(s).padStart(4, '0')]);
    if (rng.chance(0.3)) body.push(['AK3', 'BAK', '2', '', '8'], ['AK4', '1', '', '7', 'XX']);
    body.push(['AK5', rng.pick(['A', 'E', 'R', 'Z', ''])]);
  }
  body.push(['AK9', rng.pick(['A', 'P', 'R']), String(sets), String(sets), String(sets)]);
  return [body];
}

/** A whole interchange as segments: ISA, one GS of one or more sets, GE, IEA. */
function generated(rng: Random, index: number, context: FuzzContext, d: Delimiters): { segments: Segment[]; name: string } {
  const fa = rng.chance(0.1);
  const version = rng.pick(['00401', '00401', '00501', '00403']);
  const gsVersion = version === '00501' ? '005010' : '004010';
  const bodies = fa ? ack997(rng) : po850(rng, `PO-${context.runTag}-${index}`);
  const segments: Segment[] = [
    isa(context, index, d, version),
    ['GS', fa ? 'FA' : 'PO', context.x12.id, context.x12.ourId, '20261127', '1200', String(index), 'X', gsVersion],
  ];
  bodies.forEach((body, s) => {
    const st = String(s + 1).padStart(4, '0');
    segments.push(['ST', fa ? (version === '00501' ? '999' : '997') : '850', st], ...body, ['SE', String(body.length + 2), st]);
  });
  segments.push(['GE', String(bodies.length), String(index)], ['IEA', '1', control9(index)]);
  return { segments, name: `generated ${fa ? '997' : `850 (${bodies[0]?.filter((s) => s[0] === 'PO1').length} lines)`}` };
}

const serialize = (segments: Segment[], d: Delimiters) => segments.map((s) => s.join(d.element) + d.segment + d.suffix).join('');

/** A sample readdressed to the partner's pair under this input's control numbers. */
function readdress(text: string, context: FuzzContext, control: number): string {
  const start = text.indexOf('ISA');
  if (start < 0) return text;
  const sep = text[start + 3] as string;
  const fields: string[] = [];
  let at = start + 4;
  for (let i = 0; i < 15; i += 1) {
    const next = text.indexOf(sep, at);
    if (next < 0) return text;
    fields.push(text.slice(at, next).replace(/[\r\n]/g, ''));
    at = next + 1;
  }
  const { qualifier, id, ourQualifier, ourId } = context.x12;
  fields[4] = qualifier;
  fields[5] = pad(id, 15);
  fields[6] = ourQualifier;
  fields[7] = pad(ourId, 15);
  fields[12] = control9(control);
  const e = sep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let group = 0;
  let trailer = 0;
  const rest = text
    .slice(at)
    .replace(
      new RegExp(`(GS${e}[^${e}]*${e})[^${e}]*${e}[^${e}]*(${e}[^${e}]*${e}[^${e}]*${e})\\d+`, 'g'),
      (_, head: string, middle: string) => {
        group += 1;
        return `${head}${id}${sep}${ourId}${middle}${control * 10 + group}`;
      },
    )
    .replace(new RegExp(`(GE${e}\\d+${e})\\d+`, 'g'), (_, head: string) => {
      trailer += 1;
      return `${head}${control * 10 + trailer}`;
    })
    .replace(new RegExp(`(IEA${e}\\d+${e})\\d+`), (_, head: string) => `${head}${control9(control)}`);
  return `${text.slice(0, start)}ISA${sep}${fields.join(sep)}${sep}${rest}`;
}

/** Inserts without spreading: a spread of 100,000 arguments overflows the stack. */
function insertAll(segments: Segment[], at: number, items: Segment[]): void {
  const tail = segments.splice(at);
  for (const item of items) segments.push(item);
  for (const item of tail) segments.push(item);
}

/** Mutations that know segments and elements. */
function mutateSegments(rng: Random, segments: Segment[], maxBytes: number): string {
  const inner = segments.length > 2 ? rng.int(1, segments.length - 2) : 0;
  const segment = segments[inner] as Segment;
  const kind = rng.weighted([
    [5, 'element-nasty'],
    [2, 'element-empty'],
    [2, 'element-extra'],
    [2, 'segment-duplicate'],
    [2, 'segment-remove'],
    [1, 'segment-swap'],
    [1, 'segment-unknown'],
    [2, 'count-wrong'],
    [1, 'many-lines'],
    [0.5, 'many-sets'],
    [1, 'isa-field'],
  ] as const);
  switch (kind) {
    case 'element-nasty': {
      const { value, name } = nastyString(rng);
      const position = rng.int(1, Math.max(1, segment.length - 1));
      segment[position] = value;
      return `element:nasty(${name})@${segment[0]}${String(position).padStart(2, '0')}`;
    }
    case 'element-empty':
      segment[rng.int(1, Math.max(1, segment.length - 1))] = '';
      return `element:empty@${segment[0]}`;
    case 'element-extra':
      for (let i = rng.int(1, 40); i > 0; i -= 1) segment.push(rng.text(rng.int(0, 5)));
      return `element:extra@${segment[0]}`;
    case 'segment-duplicate': {
      const times = rng.int(1, 10);
      for (let i = 0; i < times; i += 1) segments.splice(inner, 0, [...segment]);
      return `segment:duplicate@${segment[0]}`;
    }
    case 'segment-remove':
      segments.splice(inner, 1);
      return `segment:remove@${segment[0]}`;
    case 'segment-swap': {
      const other = rng.int(0, segments.length - 1);
      [segments[inner], segments[other]] = [segments[other] as Segment, segment];
      return `segment:swap@${segment[0]}`;
    }
    case 'segment-unknown':
      segments.splice(inner, 0, [rng.pick(['ZZZ', 'ISA', 'GS', 'ST', 'SE', 'IEA', 'X', '']), rng.text(3)]);
      return 'segment:unknown';
    case 'count-wrong': {
      const trailer = segments.filter((s) => ['SE', 'GE', 'IEA', 'CTT'].includes(s[0] as string));
      const target = trailer.length > 0 ? rng.pick(trailer) : segment;
      target[1] = rng.pick(['0', '-1', '99999999999', 'X', '']);
      return `count:wrong@${target[0]}`;
    }
    case 'many-lines': {
      const line = segments.findIndex((s) => s[0] === 'PO1');
      if (line < 0) return 'many-lines(none)';
      const template = segments[line] as Segment;
      const count = Math.floor(rng.logInt(1_000, maxBytes) / (template.join('*').length + 2));
      const copies = Array.from({ length: count }, (_, n) => [template[0] as string, String(n + 2), ...template.slice(2)]);
      insertAll(segments, line + 1, copies);
      return `many-lines(${count})`;
    }
    case 'many-sets': {
      const st = segments.findIndex((s) => s[0] === 'ST');
      const se = segments.findIndex((s) => s[0] === 'SE');
      if (st < 0 || se < st) return 'many-sets(none)';
      const set = segments.slice(st, se + 1);
      const setBytes = set.reduce((sum, s) => sum + s.join('*').length + 2, 0);
      const count = Math.max(2, Math.floor(rng.logInt(10_000, maxBytes) / setBytes));
      const copies: Segment[] = [];
      for (let n = 2; n <= count; n += 1) {
        const control = String(n).padStart(4, '0');
        for (const s of set) copies.push(s[0] === 'ST' || s[0] === 'SE' ? [...s.slice(0, -1), control] : s);
      }
      insertAll(segments, se + 1, copies);
      const ge = segments.find((s) => s[0] === 'GE');
      if (ge !== undefined) ge[1] = String(count);
      return `many-sets(${count})`;
    }
    case 'isa-field': {
      const head = segments[0] as Segment;
      const position = rng.int(1, 16);
      head[position] = rng.pick(['', 'X', ' '.repeat(30), '000000000', 'ZZ', '99999', '\u0000']);
      return `isa:field@ISA${String(position).padStart(2, '0')}`;
    }
  }
}

export const x12Channel: Channel = {
  name: 'x12',
  build(rng, index, context): FuzzInput {
    const names: string[] = [];
    let text: string;
    if (rng.chance(0.35)) {
      const source = rng.pick(samples);
      names.push(`sample ${source.name}`);
      text = readdress(source.text, context, index);
    } else {
      const d = rng.pick(delimiterSets);
      const { segments, name } = generated(rng, index, context, d);
      names.push(name);
      const mutations = mutationCount(rng);
      for (let m = 0; m < mutations; m += 1) names.push(mutateSegments(rng, segments, context.maxBytes));
      text = serialize(segments, d);
    }
    let body: Buffer = Buffer.from(text, 'utf8');
    if (rng.chance(names[0]?.startsWith('sample') ? 0.7 : 0.15)) {
      const mutated = rng.chance(0.03) ? repeatSlice(rng, body, context.maxBytes) : mutateBytes(rng, body, context.maxBytes);
      body = mutated.body;
      names.push(mutated.name);
    }
    if (rng.chance(0.03)) {
      const [from, to] = [rng.pick(['*', '~', '>', '|', '\n']), rng.pick(['*', '~', '>', '|', '^', ':'])];
      body = Buffer.from(body.toString('latin1').replaceAll(from, to), 'latin1');
      names.push(`delimiters:swap(${JSON.stringify(from)}→${JSON.stringify(to)})`);
    }
    body = capped(body, context.maxBytes, names);
    const headers: Record<string, string> = { authorization: `Bearer ${context.partnerKey}`, 'content-type': 'application/edi-x12' };
    const headerKind = rng.weighted([
      [40, 'none'],
      [1, 'other-partner'],
      [1, 'no-key'],
      [1, 'content-type'],
    ] as const);
    if (headerKind === 'other-partner') headers['authorization'] = `Bearer ${context.otherKey}`;
    if (headerKind === 'no-key') delete headers['authorization'];
    if (headerKind === 'content-type')
      headers['content-type'] = rng.pick([
        'text/plain',
        'application/edi-x12; charset=utf-16',
        'application/octet-stream',
        'application/json',
      ]);
    if (headerKind !== 'none') names.push(`header:${headerKind}`);
    return { method: 'POST', path: '/v1/x12', headers, body, label: names.join(' / ') };
  },
};
