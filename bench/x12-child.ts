import { createReadStream, readFileSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { X12FatInterchange, X12Interchange, X12Segment } from 'node-x12';
import { map850For } from '../adapters/x12/map-850.ts';
import { X12Reader } from '../adapters/x12/read.ts';
import { X12Tokenizer, type Segment } from '../adapters/x12/tokenize.ts';
import type { CanonicalOrder } from '../domain/order.ts';

// One contender of npm run bench:x12, alone in its own process so that its peak RSS is its own:
//   node --import tsx bench/x12-child.ts MODE FILE [SLICE_BYTES]
// Prints one JSON line (ChildReport) on stdout. Only bench/x12.ts runs this.
//   node-x12-parse   new X12Parser(true).parse(text) on the file read as a string (or on its first
//                    SLICE_BYTES, cut after a set and closed with GE/IEA)
//   node-x12-stream  createReadStream(file).pipe(new X12Parser()), counting the segments it emits
//   ordergate        createReadStream → X12Reader (envelope + guide + map850For('default'), which validates)
//   check            not timed: node-x12's stream segments against our tokenizer's, one by one

export interface ChildReport {
  mode: string;
  /** Bytes the contender parsed (the slice for a sliced run). */
  bytes: number;
  /** Wall time of the work alone (no start-up), and the CPU time (user + system) the process spent meanwhile. */
  seconds: number;
  cpuSeconds: number;
  segments?: number;
  orders?: number;
  rejectedSets?: number;
  unreadable?: number;
  /** Peak RSS in MB (10^6 bytes): VmHWM of /proc/self/status, and process.resourceUsage().maxRSS. */
  vmHwmMB: number;
  maxRssMB: number;
  note?: string;
  check?: CheckReport;
}

export interface CheckReport {
  ours: number;
  theirs: number;
  /** node-x12 segments that are not the segment our tokenizer read at that place. */
  mismatched: number;
  /** Read-stream chunks that ended exactly on the segment terminator "~". */
  chunksEndingOnTerminator: number;
  chunks: number;
  examples: string[];
}

const vmHwmMB = (): number => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? (Number(match[1]) * 1024) / 1e6 : Number.NaN;
  } catch {
    return Number.NaN;
  }
};

const report = (partial: Omit<ChildReport, 'vmHwmMB' | 'maxRssMB'>): void => {
  const full: ChildReport = { ...partial, vmHwmMB: vmHwmMB(), maxRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6 };
  process.stdout.write(`${JSON.stringify(full)}\n`);
};

interface Clock {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}
const startClock = (): Clock => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
const elapsed = (clock: Clock): { seconds: number; cpuSeconds: number } => {
  const cpu = process.cpuUsage(clock.cpu);
  return { seconds: Number(process.hrtime.bigint() - clock.wall) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
};

/** The first `sliceBytes` of the file, cut after the last whole set in it and closed with GE and IEA. */
function sliceText(text: string, sliceBytes: number): { text: string; sets: number } {
  const cut = text.lastIndexOf('\nSE*', sliceBytes);
  const end = text.indexOf('~\n', cut) + 2;
  const head = text.slice(0, end);
  const sets = head.split('\nST*').length - 1;
  const isa13 = head.slice(90, 99);
  return { text: `${head}GE*${sets}*1~\nIEA*1*${isa13}~\n`, sets };
}

/** Loaded only by the node-x12 modes, so that ordergate's process does not hold node-x12 and the other way round. */
const nodeX12 = async () => (await import('node-x12')).X12Parser;

async function nodeX12Parse(file: string, sliceBytes: number | undefined): Promise<void> {
  const X12Parser = await nodeX12();
  let text = readFileSync(file, 'utf8');
  let note: string | undefined;
  if (sliceBytes !== undefined && sliceBytes < text.length) {
    const sliced = sliceText(text, sliceBytes);
    text = sliced.text;
    note = `first ${(text.length / 1e6).toFixed(1)} MB only (${sliced.sets} sets, closed with GE/IEA)`;
  }
  const clock = startClock();
  const parsed = new X12Parser(true).parse(text) as X12Interchange | X12FatInterchange;
  const time = elapsed(clock);
  const interchanges = 'interchanges' in parsed ? parsed.interchanges : [parsed];
  let segments = 0;
  let orders = 0;
  for (const interchange of interchanges) {
    segments += 2;
    for (const group of interchange.functionalGroups) {
      segments += 2;
      for (const transaction of group.transactions) {
        orders++;
        segments += 2 + transaction.segments.length;
      }
    }
  }
  report({ mode: 'node-x12-parse', bytes: Buffer.byteLength(text), ...time, segments, orders, ...(note === undefined ? {} : { note }) });
}

async function nodeX12Stream(file: string): Promise<void> {
  const X12Parser = await nodeX12();
  const bytes = readFileSize(file);
  let segments = 0;
  const clock = startClock();
  await pipeline(
    createReadStream(file),
    new X12Parser(),
    new Writable({
      objectMode: true,
      write(_segment: X12Segment, _encoding, callback) {
        segments++;
        callback();
      },
    }),
  );
  report({ mode: 'node-x12-stream', bytes, ...elapsed(clock), segments });
}

async function ordergate(file: string): Promise<void> {
  const bytes = readFileSize(file);
  let orders = 0;
  let rejectedSets = 0;
  let unreadable = 0;
  const clock = startClock();
  const reader = new X12Reader<CanonicalOrder>({
    // map850For validates each order: an invalid one is a rejected set, counted below.
    map: map850For('default'),
    onMapped: () => orders++,
    onInterchange: (outcome) => {
      if (outcome.rejection !== undefined) rejectedSets = Number.NaN;
      for (const group of outcome.groups)
        for (const set of group.sets) if (set.status === 'R' || group.groupCodes.length > 0) rejectedSets++;
    },
    onUnreadable: () => unreadable++,
  });
  for await (const chunk of createReadStream(file)) reader.push(chunk as Buffer);
  reader.end();
  report({ mode: 'ordergate', bytes, ...elapsed(clock), orders, rejectedSets, unreadable });
}

const readFileSize = (file: string): number => statSync(file).size;

/** FNV-1a over a segment's text: the same segment read by both sides gives the same value. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** ISA13 and IEA02 come out of node-x12 as parseInt'ed numbers; compare them the same way. */
const normalized = (tag: string, elements: string[]): string =>
  `${tag}*${elements.map((value, i) => ((tag === 'ISA' && i === 12) || (tag === 'IEA' && i === 1) ? String(Number.parseInt(value, 10)) : value)).join('*')}`;

async function check(file: string): Promise<void> {
  const X12Parser = await nodeX12();
  const clock = startClock();
  const theirs: number[] = [];
  const theirText: string[] = [];
  let chunks = 0;
  let chunksEndingOnTerminator = 0;
  const source = createReadStream(file);
  source.on('data', (chunk) => {
    chunks++;
    if ((chunk as Buffer)[(chunk as Buffer).length - 1] === 0x7e) chunksEndingOnTerminator++;
  });
  await pipeline(
    source,
    new X12Parser(),
    new Writable({
      objectMode: true,
      write(segment: X12Segment, _encoding, callback) {
        const text = normalized(
          segment.tag,
          segment.elements.map((e) => e.value),
        );
        theirs.push(fnv(text));
        // Keep text only for the few that will be shown; the hash is what is compared.
        theirText.push(text.length > 80 ? `${text.slice(0, 77)}...` : text);
        callback();
      },
    }),
  );
  const ours: number[] = [];
  const tokenizer = new X12Tokenizer((event) => {
    if (event.kind === 'segment') ours.push(fnv(normalized(event.segment.tag, (event.segment as Segment).elements)));
  });
  for await (const chunk of createReadStream(file)) tokenizer.push(chunk as Buffer);
  tokenizer.end();
  // In order, resynchronising after a difference within a small window.
  let mismatched = 0;
  const examples: string[] = [];
  let i = 0;
  let j = 0;
  while (i < theirs.length && j < ours.length) {
    if (theirs[i] === ours[j]) {
      i++;
      j++;
      continue;
    }
    mismatched++;
    if (examples.length < 3) examples.push(JSON.stringify(theirText[i]));
    let resync: [number, number] | undefined;
    for (let d = 1; d <= 8 && resync === undefined; d++) {
      for (let a = 0; a <= d; a++) {
        if (theirs[i + a] === ours[j + d - a]) {
          resync = [i + a, j + d - a];
          break;
        }
      }
    }
    [i, j] = resync ?? [i + 1, j + 1];
  }
  mismatched += theirs.length - i;
  report({
    mode: 'check',
    bytes: readFileSize(file),
    ...elapsed(clock),
    check: { ours: ours.length, theirs: theirs.length, mismatched, chunks, chunksEndingOnTerminator, examples },
  });
}

const [mode, file, slice] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: x12-child.ts MODE FILE [SLICE_BYTES]');
switch (mode) {
  case 'node-x12-parse':
    await nodeX12Parse(file, slice === undefined ? undefined : Number(slice));
    break;
  case 'node-x12-stream':
    await nodeX12Stream(file);
    break;
  case 'ordergate':
    await ordergate(file);
    break;
  case 'check':
    await check(file);
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
