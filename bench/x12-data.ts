import { createWriteStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The bench file of npm run bench:x12: one X12 004010 interchange (ISA/GS) of 850 purchase orders,
// made from a fixed seed, so every run and every machine gets the same bytes.
//
// Each order: BEG, CUR, 2 REF, PER, ITD, 2 DTM, TD5, N1 BT and N1 ST loops (N3, N4), then 20 lines:
// PO1 + PID each; about 1 order in 4 has one bundle line (PO1 + PID) followed by 3 SLN components
// (SLN03 = I), the 3 SLN counted within the 20 lines (16 plain lines + bundle + 3 components).
// CTT01 counts the PO1s, AMT*TT states the exact total, SE01 counts the set's segments.
// Segment terminator "~" followed by "\n".

/** Bump when the content changes: the file name carries it, so an old file is never reused. */
const formatVersion = 1;
export const targetBytes = 100_000_000;
export const linesPerOrder = 20;
export const bundleComponents = 3;
const seed = 0x0de1_850;
const interchangeControl = '000000001';
const groupControl = '1';

export interface BenchFileFacts {
  path: string;
  bytes: number;
  interchanges: number;
  groups: number;
  sets: number;
  bundleOrders: number;
  /** Every segment, ISA to IEA: what a tokenizer should count. */
  segments: number;
  po1: number;
  sln: number;
}

export const benchFilePath = (): string => join(tmpdir(), `ordergate-bench-x12-v${formatVersion}-${targetBytes / 1_000_000}MB.x12`);

/** mulberry32: small, fast, and the same everywhere. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cities: [city: string, region: string, zip: string][] = [
  ['Springfield', 'IL', '62701'],
  ['Columbus', 'OH', '43215'],
  ['Reno', 'NV', '89501'],
  ['Savannah', 'GA', '31401'],
  ['Fort Worth', 'TX', '76102'],
  ['Allentown', 'PA', '18101'],
  ['Ontario', 'CA', '91761'],
  ['Joliet', 'IL', '60431'],
];
const streets = ['Main St', 'Commerce Dr', 'Industrial Pkwy', 'Distribution Way', 'Harbor Blvd', 'Logistics Ct'];
const buyers = ['Jane Buyer', 'Omar Haddad', 'Mei Lin', 'Carlos Ortega', 'Priya Nair', 'Tom Becker'];
const nouns = ['Cable', 'Adapter', 'Bracket', 'Switch', 'Sensor', 'Panel', 'Fitting', 'Valve', 'Hinge', 'Charger'];
const adjectives = ['Heavy-duty', 'Compact', 'Stainless', 'Weatherproof', 'Industrial', 'Slim', 'Modular', 'Premium'];
const units = ['EA', 'EA', 'EA', 'CA', 'BX', 'PK'];
const carriers: [scac: string, routing: string][] = [
  ['UPSN', 'UPS GROUND'],
  ['FDEG', 'FEDEX GROUND'],
  ['ODFL', 'OLD DOMINION'],
];
const components = ['MODEM-X1', 'PORT-ACT', 'ROUTER-W6', 'TRUCK-ROLL', 'MESH-NODE', 'TV-BOX'];

/** Cents as an X12 R value: no trailing zeros, no trailing point (12.5, 12, 0.99). */
function decimal(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  if (rest === 0) return String(whole);
  return rest % 10 === 0 ? `${whole}.${rest / 10}` : `${whole}.${String(rest).padStart(2, '0')}`;
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** A valid date in 2026, yyyymmdd, day `dayOfYear` (0-based). */
function date2026(dayOfYear: number): string {
  const d = new Date(Date.UTC(2026, 0, 1 + (dayOfYear % 365)));
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
}

interface OrderText {
  text: string;
  segments: number;
  po1: number;
  sln: number;
  bundle: boolean;
}

function order(n: number, rnd: () => number): OrderText {
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const int = (min: number, max: number): number => min + Math.floor(rnd() * (max - min + 1));
  const control = pad(n, 4);
  const segments: string[] = [];
  const day = int(0, 300);
  const [billCity, billRegion, billZip] = pick(cities);
  const [shipCity, shipRegion, shipZip] = pick(cities);
  const [scac, routing] = pick(carriers);
  const buyer = pick(buyers);
  segments.push(
    `ST*850*${control}`,
    `BEG*00*SA*PO-${pad(n, 8)}**${date2026(day)}`,
    'CUR*BY*USD',
    `REF*DP*${pad(int(1, 999), 3)}`,
    `REF*IA*V${pad(int(1, 99999), 6)}`,
    `PER*BD*${buyer}*TE*555-${pad(int(100, 9999), 4)}*EM*${buyer.split(' ')[0]?.toLowerCase()}@acme.example`,
    `ITD*14*3*2**10**30`,
    `DTM*002*${date2026(day + int(7, 30))}`,
    `DTM*010*${date2026(day + int(2, 6))}`,
    `TD5*O*2*${scac}*M*${routing}`,
    `N1*BT*Acme Retail Accounts Payable*92*AP-${pad(int(1, 40), 3)}`,
    `N3*PO Box ${int(100, 9999)}`,
    `N4*${billCity}*${billRegion}*${billZip}*US`,
    `N1*ST*Acme DC ${int(1, 60)}*92*DC-${pad(int(1, 60), 2)}`,
    `N3*${int(1, 9999)} ${pick(streets)}*Dock ${int(1, 40)}`,
    `N4*${shipCity}*${shipRegion}*${shipZip}*US`,
  );
  const bundle = rnd() < 0.25;
  const plainLines = bundle ? linesPerOrder - 1 - bundleComponents : linesPerOrder;
  const bundleAt = bundle ? int(1, plainLines + 1) : 0;
  let totalCents = 0;
  let po1 = 0;
  let sln = 0;
  for (let line = 1; line <= plainLines + (bundle ? 1 : 0); line++) {
    po1++;
    if (line === bundleAt) {
      const cents = int(2999, 19999);
      totalCents += cents;
      segments.push(
        `PO1*${line}*1*EA*${decimal(cents)}**VN*INTERNET-${int(100, 999)}*BP*NET${int(100, 999)}`,
        'PID*F****Internet bundle with installation',
      );
      for (let c = 1; c <= bundleComponents; c++) {
        sln++;
        segments.push(`SLN*${c}**I*1*EA****VN*${pick(components)}`);
      }
      continue;
    }
    const quantity = int(1, 48);
    const cents = int(99, 49999);
    totalCents += quantity * cents;
    const sku = `SKU-${pad(int(1, 999999), 6)}`;
    segments.push(
      `PO1*${line}*${quantity}*${pick(units)}*${decimal(cents)}**VN*${sku}*BP*B${pad(int(1, 9999999), 7)}`,
      `PID*F****${pick(adjectives)} ${pick(nouns).toLowerCase()} ${int(1, 500)}`,
    );
  }
  segments.push(`CTT*${po1}`, `AMT*TT*${decimal(totalCents)}`);
  segments.push(`SE*${segments.length + 1}*${control}`);
  return { text: `${segments.join('~\n')}~\n`, segments: segments.length, po1, sln, bundle };
}

const isaText = `ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*ORDERGATE      *261127*1200*U*00401*${interchangeControl}*0*P*>~\n`;
const gsText = `GS*PO*ACMEBUYER*ORDERGATE*20261127*1200*${groupControl}*X*004010~\n`;
const trailer = (sets: number): string => `GE*${sets}*${groupControl}~\nIEA*1*${interchangeControl}~\n`;

/**
 * Produces the file's text in pieces of about 1 MB, orders until the file reaches targetBytes.
 * `write` may be a no-op: then it only counts (to know the size a file must have).
 */
async function produce(write: (text: string) => Promise<void> | void): Promise<Omit<BenchFileFacts, 'path'>> {
  const rnd = random(seed);
  const facts = { bytes: 0, interchanges: 1, groups: 1, sets: 0, bundleOrders: 0, segments: 2, po1: 0, sln: 0 };
  let pending = isaText + gsText;
  const trailerBytes = trailer(999_999).length;
  while (facts.bytes + pending.length + trailerBytes < targetBytes) {
    const next = order(facts.sets + 1, rnd);
    facts.sets++;
    facts.segments += next.segments;
    facts.po1 += next.po1;
    facts.sln += next.sln;
    if (next.bundle) facts.bundleOrders++;
    pending += next.text;
    if (pending.length >= 1_000_000) {
      facts.bytes += pending.length;
      await write(pending);
      pending = '';
    }
  }
  pending += trailer(facts.sets);
  facts.segments += 2;
  facts.bytes += pending.length;
  await write(pending);
  return facts;
}

/** The bench file, made if missing or of the wrong size (written to a temporary name, then renamed). */
export async function ensureBenchFile(log: (line: string) => void): Promise<BenchFileFacts & { reused: boolean }> {
  const path = benchFilePath();
  const facts = await produce(() => undefined);
  if (existsSync(path) && statSync(path).size === facts.bytes) return { path, ...facts, reused: true };
  log(`writing ${path} (${(facts.bytes / 1e6).toFixed(1)} MB, ${facts.sets} orders)`);
  const partial = `${path}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  try {
    await produce((text) => (out.write(text) ? undefined : new Promise<void>((resolve) => out.once('drain', resolve))));
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch (error) {
    out.destroy();
    if (existsSync(partial)) unlinkSync(partial);
    throw error;
  }
  const written = statSync(partial).size;
  if (written !== facts.bytes) throw new Error(`wrote ${written} bytes to ${partial}, expected ${facts.bytes}`);
  renameSync(partial, path);
  return { path, ...facts, reused: false };
}
