import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { element, GS } from '../adapters/x12/index.ts';
import { map850For } from '../adapters/x12/map-850.ts';
import { X12Reader } from '../adapters/x12/read.ts';
import type { CanonicalOrder } from '../domain/order.ts';
import { fmt, log, machineBusyNow, repoRoot, runMain, table } from './support.ts';
import type { ChildReport } from './x12-child.ts';
import { ensureBenchFile, linesPerOrder, type BenchFileFacts } from './x12-data.ts';
import { profileOrdergate } from './x12-profile.ts';

// npm run bench:x12 — reading a ~100 MB X12 850 interchange, three contenders on the same file, each
// alone in a fresh child process (bench/x12-child.ts), so that each peak RSS is its own:
//   a  node-x12 X12Parser(true).parse(text) on the whole file as one string (heap up to 8 GB, 5 min)
//   b  node-x12 X12Parser as a Transform stream, segments counted
//   c  ordergate: fs stream → X12Reader (tokenize, envelope, guide, map850For('default'), which validates)
// Targets: c ≥ 10 × a, c ≥ 1.5 × b, c ≥ 60 MB/s, c's peak RSS < 256 MB. Before timing, the file is read once by our
// reader here (every set must be accepted); after timing, b's segments are compared one by one with
// our tokenizer's (untimed, another child).
// Environment: BENCH_X12_TIMEOUT_S (default 300, per contender), BENCH_X12_SLICE_MB (time a on the
// first N MB only, instead of trying the whole file first), BENCH_X12_PROFILE (1: always profile c,
// 0: never; by default c is profiled when it misses a target).

const targets = { overParse: 10, overStream: 1.5, mbps: 60, peakRssMB: 256 };
const timeoutMs = Number(process.env.BENCH_X12_TIMEOUT_S ?? 300) * 1000;
const fallbackSliceBytes = 10_000_000;
const forcedSliceBytes = process.env.BENCH_X12_SLICE_MB === undefined ? undefined : Number(process.env.BENCH_X12_SLICE_MB) * 1_000_000;
const profileWanted = process.env.BENCH_X12_PROFILE;

interface ChildRun {
  report: ChildReport | undefined;
  /** Why there is no report: timed out, out of memory, crashed. */
  failure: string | undefined;
  wallSeconds: number;
}

function runChild(mode: string, file: string, options: { nodeArgs?: string[]; slice?: number } = {}): Promise<ChildRun> {
  const args = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    'bench/x12-child.ts',
    mode,
    file,
    ...(options.slice === undefined ? [] : [String(options.slice)]),
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const wallSeconds = (Date.now() - started) / 1000;
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) return resolve({ report: JSON.parse(line) as ChildReport, failure: undefined, wallSeconds });
      let failure: string;
      if (timedOut) failure = `did not finish within ${timeoutMs / 1000} s`;
      else if (/heap out of memory|Allocation failed/i.test(stderr)) failure = `ran out of memory (${signal ?? `exit ${code}`})`;
      else failure = `failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      resolve({ report: undefined, failure, wallSeconds });
    });
  });
}

/** Our reader over the whole file once, before any timing: every set must be accepted and valid. */
async function validateFile(facts: BenchFileFacts): Promise<void> {
  let orders = 0;
  let lines = 0;
  let components = 0;
  const problems: string[] = [];
  const reader = new X12Reader<CanonicalOrder>({
    // An order that fails validation is a rejected set, listed by onInterchange.
    map: map850For('default'),
    onMapped: (order) => {
      orders++;
      lines += order.lines.length;
      components += order.lines.filter((line) => line.parentLineNumber !== undefined).length;
    },
    onInterchange: (outcome) => {
      if (outcome.rejection !== undefined) problems.push(`interchange rejected: TA1 note ${outcome.rejection}`);
      for (const group of outcome.groups) {
        if (group.groupCodes.length > 0)
          problems.push(`group ${element(group.gs, GS.controlNumber)}: AK9 codes ${group.groupCodes.join(',')}`);
        for (const set of group.sets)
          if (set.status !== 'A')
            problems.push(
              `set ${set.st02}: AK5 ${set.status} ${set.setCodes.join(',')} ${JSON.stringify(set.segmentErrors).slice(0, 200)}`,
            );
      }
    },
    onUnreadable: (problem) => problems.push(`unreadable at ${problem.offset}: ${problem.reason}`),
  });
  for await (const chunk of createReadStream(facts.path)) reader.push(chunk as Buffer);
  reader.end();
  if (orders !== facts.sets) problems.push(`${orders} orders mapped and valid, ${facts.sets} in the file`);
  if (lines !== facts.sets * linesPerOrder) problems.push(`${lines} order lines, expected ${facts.sets * linesPerOrder}`);
  if (components !== facts.sln) problems.push(`${components} bundle components, expected ${facts.sln}`);
  if (problems.length > 0)
    throw new Error(
      `our reader does not accept the bench file ${facts.path}:\n  ${problems.slice(0, 10).join('\n  ')}${problems.length > 10 ? `\n  ... ${problems.length - 10} more` : ''}`,
    );
}

const mbps = (report: ChildReport): number => report.bytes / 1e6 / report.seconds;

function row(name: string, run: ChildRun, counted: (report: ChildReport) => string): string[] {
  const report = run.report;
  if (report === undefined) return [name, '-', '-', '-', '-', '-', '-', run.failure ?? ''];
  return [
    name,
    fmt(report.bytes / 1e6),
    fmt(report.seconds, 2),
    fmt(report.cpuSeconds, 2),
    fmt(mbps(report)),
    counted(report),
    fmt(report.vmHwmMB, 0),
    report.note ?? '',
  ];
}

async function main(): Promise<number> {
  const busy = await machineBusyNow();
  if (busy > 0.15) log(`WARNING: the machine is already ${fmt(busy * 100, 0)} % busy with other work; the figures will be low and noisy`);
  const facts = await ensureBenchFile(log);
  log(
    `${facts.reused ? 'reusing' : 'wrote'} ${facts.path}: ${fmt(facts.bytes / 1e6)} MB, ${facts.sets} orders (${facts.bundleOrders} with a bundle), ${facts.segments} segments`,
  );
  const validationStart = Date.now();
  await validateFile(facts);
  (globalThis as { gc?: () => void }).gc?.();
  log(
    `validated with our reader: all ${facts.sets} sets accepted (AK5 A), every order valid (${((Date.now() - validationStart) / 1000).toFixed(1)} s, not timed)`,
  );

  let parse: ChildRun;
  if (forcedSliceBytes === undefined) {
    log('a: node-x12 X12Parser(true).parse on the whole file (--max-old-space-size=8192)');
    parse = await runChild('node-x12-parse', facts.path, { nodeArgs: ['--max-old-space-size=8192'] });
    if (parse.report === undefined) {
      log(`a: the whole file ${parse.failure}; timing it on the first ${fallbackSliceBytes / 1e6} MB instead`);
      const whole = parse.failure;
      parse = await runChild('node-x12-parse', facts.path, { nodeArgs: ['--max-old-space-size=8192'], slice: fallbackSliceBytes });
      if (parse.report !== undefined) parse.report.note = `${parse.report.note ?? ''}; the whole file ${whole}`;
    }
  } else {
    log(`a: node-x12 X12Parser(true).parse on the first ${forcedSliceBytes / 1e6} MB (BENCH_X12_SLICE_MB)`);
    parse = await runChild('node-x12-parse', facts.path, { nodeArgs: ['--max-old-space-size=8192'], slice: forcedSliceBytes });
  }
  log('b: node-x12 X12Parser stream');
  const stream = await runChild('node-x12-stream', facts.path);
  log('c: ordergate X12Reader → map850 (validating)');
  const ours = await runChild('ordergate', facts.path);
  log("b's segments against our tokenizer's (not timed)");
  const check = await runChild('check', facts.path, { nodeArgs: ['--max-old-space-size=4096'] });

  const c = ours.report;
  const overParse = c !== undefined && parse.report !== undefined ? mbps(c) / mbps(parse.report) : Number.NaN;
  const overStream = c !== undefined && stream.report !== undefined ? mbps(c) / mbps(stream.report) : Number.NaN;
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  const met = {
    overParse: overParse >= targets.overParse,
    overStream: overStream >= targets.overStream,
    mbps: c !== undefined && mbps(c) >= targets.mbps,
    rss: c !== undefined && c.vmHwmMB < targets.peakRssMB,
  };
  const comparison = check.report?.check;
  const streamVerdict =
    comparison === undefined
      ? `b's segments could not be compared with ours: ${check.failure}`
      : `b emitted ${comparison.theirs} segments, our tokenizer ${comparison.ours} (${comparison.theirs === comparison.ours ? 'same count' : `${comparison.theirs - comparison.ours} off`}); ` +
        `${comparison.mismatched} of b's segments differ from ours (${comparison.chunksEndingOnTerminator} of its ${comparison.chunks} 64 KiB chunks ended exactly on "~")` +
        (comparison.examples.length > 0 ? `, e.g. ${comparison.examples.join(', ')}` : '');
  const unclean =
    c === undefined ||
    stream.report === undefined ||
    (c.orders ?? 0) !== facts.sets ||
    (c.rejectedSets ?? 0) !== 0 ||
    (c.unreadable ?? 0) !== 0;

  process.stdout.write(
    [
      '',
      `ordergate bench:x12 — ${fmt(facts.bytes / 1e6)} MB X12 004010, ${facts.sets} 850s of ${linesPerOrder} lines (${facts.bundleOrders} with a bundle of 3 SLN), ${facts.segments} segments; ${availableParallelism()} CPUs (${fmt(busy * 100, 0)} % busy before the run); node ${process.versions.node}`,
      table([
        ['contender', 'MB', 's', 'cpu s', 'MB/s', 'counted', 'peak RSS MB', 'note'],
        row('a  node-x12 parse(text)', parse, (r) => `${r.segments} segments`),
        row('b  node-x12 stream', stream, (r) => `${r.segments} segments`),
        row('c  ordergate read+map+validate', ours, (r) => `${r.orders} orders`),
      ]),
      'MB = 10^6 bytes; s: wall time of the work alone, in the child (not node start-up; a: parse only, after reading the file into a string); MB/s from it',
      'cpu s: CPU time of the child meanwhile (GC helper threads included, so it can exceed s); peak RSS: VmHWM of the child (whole process)',
      streamVerdict,
      c === undefined ? `c ${ours.failure}` : `c: ${c.orders} orders valid, ${c.rejectedSets} sets rejected, ${c.unreadable} unreadable`,
      `c / a = ${fmt(overParse, 2)}× (target ≥ ${targets.overParse}×): ${verdict(met.overParse)}`,
      `c / b = ${fmt(overStream, 2)}× (target ≥ ${targets.overStream}×): ${verdict(met.overStream)}`,
      `c ${fmt(c === undefined ? Number.NaN : mbps(c))} MB/s (target ≥ ${targets.mbps} MB/s): ${verdict(met.mbps)}`,
      `c peak RSS ${fmt(c?.vmHwmMB ?? Number.NaN, 0)} MB (target < ${targets.peakRssMB} MB): ${verdict(met.rss)}`,
      '',
    ].join('\n'),
  );

  const missed = !met.overParse || !met.overStream || !met.mbps || !met.rss;
  if (profileWanted === '1' || (profileWanted !== '0' && missed && c !== undefined)) {
    log('profiling c (node --cpu-prof); BENCH_X12_PROFILE=0 skips this');
    const dir = mkdtempSync(join(tmpdir(), 'ordergate-x12-prof-'));
    try {
      process.stdout.write(`${await profileOrdergate(facts.path, dir)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return unclean ? 1 : 0;
}

runMain(main);
