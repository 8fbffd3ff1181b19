import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { acknowledge, guidesFor, map850For, X12Reader, type InterchangeOutcome } from '../adapters/x12/index.ts';
import type { CanonicalOrder } from '../domain/order.ts';

// `ordergate x12 translate FILE` and `ordergate x12 ack FILE`: the X12 channel offline, no database.
// Files are streamed one transaction set at a time, so their size does not matter.

const usage = `usage:
  ordergate x12 translate FILE [--map NAME]   canonical JSON of each 850 that passes its checks, one per line
  ordergate x12 ack FILE [--map NAME]         the 997/999/TA1 the gateway would answer
FILE may be - for standard input. Exit code 1 when anything was rejected or unreadable.`;

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
}

const write = (stream: Writable, text: string): Promise<void> =>
  new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve);
  });

export async function main(args: string[], io: Io = process): Promise<number> {
  const [channel, command, file, ...rest] = args;
  const mapIndex = rest.indexOf('--map');
  const mapName = mapIndex === -1 ? 'default' : rest[mapIndex + 1];
  if (channel !== 'x12' || (command !== 'translate' && command !== 'ack') || file === undefined || mapName === undefined) {
    await write(io.stderr, `${usage}\n`);
    return 2;
  }
  const input = file === '-' ? io.stdin : createReadStream(file);
  let rejected = 0;
  const pending: Promise<void>[] = [];
  const out = (text: string) => pending.push(write(io.stdout, text));
  let controlNumber = 0;

  const reader = new X12Reader<CanonicalOrder>({
    map: map850For(mapName),
    guides: guidesFor(mapName),
    onMapped: command === 'translate' ? (order) => out(`${JSON.stringify(order)}\n`) : undefined,
    onInterchange: (outcome: InterchangeOutcome<CanonicalOrder>) => {
      if (outcome.rejection !== undefined || outcome.groups.some((g) => g.groupCodes.length > 0 || g.sets.some((s) => s.status === 'R')))
        rejected++;
      if (command === 'ack') {
        controlNumber++;
        out(acknowledge(outcome, { interchangeControl: controlNumber, groupControl: controlNumber, at: new Date() }).text);
      }
    },
    onUnreadable: (problem) => {
      rejected++;
      pending.push(write(io.stderr, `unreadable at byte ${problem.offset}: ${problem.reason} (starts with "${problem.preview}")\n`));
    },
  });
  try {
    for await (const chunk of input) {
      reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      await Promise.all(pending.splice(0));
    }
  } catch (error) {
    await write(io.stderr, `cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  reader.end();
  await Promise.all(pending);
  if (rejected > 0) await write(io.stderr, `${rejected} interchange(s) or part(s) were rejected or unreadable\n`);
  return rejected > 0 ? 1 : 0;
}
