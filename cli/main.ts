import { createReadStream, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import {
  acknowledge,
  guidesFor,
  map850For,
  map850Names,
  map850Problem,
  rejectionReasons,
  setCounts,
  X12Reader,
  type InterchangeOutcome,
} from '../adapters/x12/index.ts';
import type { CanonicalOrder } from '../domain/order.ts';
import { packageVersion } from '../package-files.ts';

// `ordergate x12 translate FILE` and `ordergate x12 ack FILE`: the X12 channel offline, no database.
// Files are streamed one transaction set at a time, so their size does not matter. Standard output
// carries the result (orders, or the acknowledgment); standard error says what was rejected and why,
// and, in a terminal, how far a long read has come.

const commands = {
  translate: {
    short: 'canonical JSON of each 850 that passes its checks, one per line',
    long: 'Prints the canonical JSON of each 850 in FILE that passes its checks, one order per line.',
  },
  ack: {
    short: 'the 997/999/TA1 the gateway would answer',
    long: 'Prints the acknowledgment the gateway would answer FILE with: a 997 or 999 per functional group,\nand a TA1 when one is asked for or the envelope is refused.',
  },
} as const;
type Command = keyof typeof commands;
const isCommand = (word: string | undefined): word is Command => word !== undefined && Object.hasOwn(commands, word);

const usage = `usage:
  ordergate x12 translate FILE [--map NAME]   ${commands.translate.short}
  ordergate x12 ack FILE [--map NAME]         ${commands.ack.short}
  ordergate --help | --version`;

const optionsHelp = (): string => `  FILE         an X12 file, or - for standard input
  --map NAME   the partner's 850 map in mappings/x12/850/: ${map850Names().join(', ')}
               (without --map: default)`;

const exitCodes = 'Exit code: 0 all accepted; 1 anything rejected or unreadable; 2 a wrong call or a file that cannot be read.';

function helpFor(channel: string | undefined, command: string | undefined): string {
  if (channel === 'x12' && isCommand(command))
    return `usage: ordergate x12 ${command} FILE [--map NAME]

${commands[command].long}
The file is streamed one transaction set at a time, so its size does not matter; nothing is stored,
no gateway or database is needed. Each rejected set is told on standard error with its reasons:
segment, element, the acknowledgment code and what it means.

${optionsHelp()}
${exitCodes}
`;
  return `ordergate ${packageVersion()}: the order gateway's X12 channel, offline (the gateway itself is \`npm start\`).

${usage}

${optionsHelp()}
Each rejected set is told on standard error with its reasons. \`ordergate x12 ack --help\`: one command.
${exitCodes}
`;
}

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
}

export interface Options {
  /** How long a read goes before its progress is shown (in a terminal only). */
  progressAfterMs?: number;
}

const write = (stream: Writable, text: string): Promise<void> =>
  new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve);
  });

interface Call {
  words: string[];
  map: string;
  help: boolean;
  version: boolean;
  wrong?: string;
}

function parse(args: string[]): Call {
  const call: Call = { words: [], map: 'default', help: false, version: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') call.help = true;
    else if (arg === '--version' || arg === '-V') call.version = true;
    else if (arg === '--map' || arg.startsWith('--map=')) {
      const name = arg === '--map' ? args[++i] : arg.slice('--map='.length);
      if (name === undefined || name === '') call.wrong ??= '--map needs the name of a map';
      else call.map = name;
    } else if (arg.startsWith('-') && arg !== '-') call.wrong ??= `unknown option ${arg}`;
    else call.words.push(arg);
  }
  return call;
}

function whatIsWrong(channel: string | undefined, command: string | undefined, extra: string[]): string {
  if (channel === undefined) return 'no command given';
  if (channel !== 'x12') return `unknown command "${channel}"`;
  if (command === undefined) return 'x12 translate or x12 ack?';
  if (!isCommand(command)) return `unknown x12 command "${command}"`;
  if (extra.length > 0) return `one FILE at a time (also given: ${extra.join(' ')})`;
  return 'no FILE given (- for standard input)';
}

/** Why this map cannot be used, in one line naming the maps there are; undefined when it can. */
function mapRefusal(name: string): string | undefined {
  const names = map850Names();
  if (!names.includes(name)) return `there is no 850 map "${name}"; the maps are ${names.join(', ')} (mappings/x12/850/)`;
  const problem = map850Problem(name);
  return problem === undefined ? undefined : `map "${name}" cannot be used: ${problem}`;
}

export async function main(args: string[], io: Io = process, options: Options = {}): Promise<number> {
  const call = parse(args);
  const [channel, command, file, ...extra] = call.words;
  if (call.help) {
    await write(io.stdout, helpFor(channel, command));
    return 0;
  }
  if (call.version) {
    await write(io.stdout, `ordergate ${packageVersion()}\n`);
    return 0;
  }
  if (call.wrong !== undefined || channel !== 'x12' || !isCommand(command) || file === undefined || extra.length > 0) {
    await write(io.stderr, `ordergate: ${call.wrong ?? whatIsWrong(channel, command, extra)}\n${usage}\n`);
    return 2;
  }
  const refusal = mapRefusal(call.map);
  if (refusal !== undefined) {
    await write(io.stderr, `ordergate: ${refusal}\n`);
    return 2;
  }
  return run(command, file, call.map, io, options);
}

async function run(command: Command, file: string, mapName: string, io: Io, options: Options): Promise<number> {
  const input = file === '-' ? io.stdin : createReadStream(file);
  const progress =
    (io.stderr as { isTTY?: boolean }).isTTY === true
      ? new Progress(io.stderr, file === '-' ? 'standard input' : file, sizeOf(file), options.progressAfterMs ?? 500)
      : undefined;
  const totals = { sets: 0, rejectedSets: 0, rejectedInterchanges: 0, unreadable: 0 };
  const pending: Promise<void>[] = [];
  const out = (text: string) => pending.push(write(io.stdout, text));
  const tell = (text: string) => {
    progress?.clear();
    pending.push(write(io.stderr, text));
  };
  let controlNumber = 0;

  const reader = new X12Reader<CanonicalOrder>({
    map: map850For(mapName),
    guides: guidesFor(mapName),
    onMapped: command === 'translate' ? (order) => out(`${JSON.stringify(order)}\n`) : undefined,
    onInterchange: (outcome: InterchangeOutcome<CanonicalOrder>) => {
      const counts = setCounts(outcome);
      totals.sets += counts.sets;
      totals.rejectedSets += counts.rejected;
      if (outcome.rejection !== undefined) totals.rejectedInterchanges++;
      const reasons = rejectionReasons(outcome);
      if (reasons.length > 0) tell(`${reasons.join('\n')}\n`);
      if (command === 'ack') {
        controlNumber++;
        out(acknowledge(outcome, { interchangeControl: controlNumber, groupControl: controlNumber, at: new Date() }).text);
      }
    },
    onUnreadable: (problem) => {
      totals.unreadable++;
      tell(`unreadable at byte ${problem.offset}: ${problem.reason} (starts with "${problem.preview}")\n`);
    },
  });
  try {
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      reader.push(bytes);
      progress?.add(bytes.length);
      await Promise.all(pending.splice(0));
    }
  } catch (error) {
    progress?.clear();
    await write(io.stderr, `ordergate: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  reader.end();
  progress?.clear();
  await Promise.all(pending);
  const told = [
    totals.rejectedSets > 0 ? `${totals.rejectedSets} of ${totals.sets} sets rejected` : '',
    totals.rejectedInterchanges > 0 ? `${totals.rejectedInterchanges} interchange(s) rejected` : '',
    totals.unreadable > 0 ? `${totals.unreadable} part(s) unreadable` : '',
  ].filter((part) => part !== '');
  if (told.length > 0) await write(io.stderr, `ordergate: ${told.join(', ')}\n`);
  return told.length > 0 ? 1 : 0;
}

const sizeOf = (file: string): number | undefined => {
  if (file === '-') return undefined;
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
};

/** One line on a terminal, rewritten in place (at most every 100 ms) once a read has gone on for a while; cleared at the end. */
class Progress {
  private readonly startedAt = Date.now();
  private drawnAt = 0;
  private shown = false;
  private bytes = 0;

  constructor(
    private readonly stream: Writable,
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly afterMs: number,
  ) {}

  add(bytes: number): void {
    this.bytes += bytes;
    const now = Date.now();
    if (now - this.startedAt < this.afterMs || now - this.drawnAt < 100) return;
    this.drawnAt = now;
    const mb = (n: number) => (n / 1_000_000).toFixed(1);
    const done =
      this.total === undefined || this.total === 0
        ? `${mb(this.bytes)} MB`
        : `${Math.min(100, Math.floor((100 * this.bytes) / this.total))}% (${mb(this.bytes)} of ${mb(this.total)} MB)`;
    this.stream.write(`\rreading ${this.label}: ${done}\x1b[K`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
