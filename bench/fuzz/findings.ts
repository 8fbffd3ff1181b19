import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from './gateway.ts';

// What went wrong, grouped by cause: for a 5xx the server's own error (type, message with numbers
// folded, the first frame of our code in its stack), else the answer's problem code or cXML Status;
// for a hang or a missing answer, how the input was made. Each group saves its first input and its
// smallest one so far (the repro to start from) with the request and the answer, under
// fuzz-findings/<run>/; nothing else is kept, so a campaign of any length writes a bounded amount.

export type FailureKind = '5xx' | 'hang' | 'no-answer';

export interface Failure {
  channel: string;
  index: number;
  kind: FailureKind;
  status: string;
  ms: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  label: string;
  body: Buffer | undefined;
  answer: { headers: Record<string, unknown>; body: Buffer; bytes: number };
  server: LogEntry[];
  /** For a hang: the slower request that overlapped it, which may be why it was slow. */
  behind?: string;
}

export interface FindingGroup {
  signature: string;
  channel: string;
  kind: FailureKind;
  cause: string;
  count: number;
  first: { index: number; label: string; status: string; file: string };
  smallest: { index: number; bytes: number; label: string; file: string };
  stack?: string;
}

const fold = (text: string) =>
  text
    .replace(/"[^"]{0,200}"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 160);

/** knex puts the SQL before the database's message ("insert into … - invalid input syntax"): the message, and the table. */
function describe(message: string): string {
  const split = message.lastIndexOf(' - ');
  if (split < 0) return fold(message);
  const sql = message.slice(0, split);
  const table = /\b(insert into|update|delete from|from)\s+"?(\w+)"?/i.exec(sql);
  return `${fold(message.slice(split + 3))}${table === null ? '' : ` (${table[1]?.toLowerCase()} ${table[2]})`}`;
}

/** The first stack frame in the project's own code (not node_modules, not node:). */
function ourFrame(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));
  const ours = frames.find((line) => !/node_modules|node:|<anonymous>/.test(line)) ?? frames[0] ?? '';
  return ours
    .trim()
    .replace(/^at /, '')
    .replace(/.*\/(?=[\w.-]+\/[\w.-]+\.[jt]s)/, '')
    .replace(/\)$/, '');
}

function causeOf(failure: Failure): { cause: string; stack?: string } {
  if (failure.kind !== '5xx') {
    const made = failure.label
      .split(' / ')
      .map((part) =>
        part
          .replace(/@.*$/, '')
          .replace(/\([^)]*\)/g, '')
          .replace(/\d+/g, 'N')
          .trim(),
      )
      .join(' / ');
    if (failure.behind !== undefined)
      return {
        cause: `${failure.kind === 'hang' ? 'slow' : failure.status} while an earlier, slower request ran (e.g. ${failure.behind})`,
      };
    return { cause: `${failure.kind === 'hang' ? 'slow' : failure.status}: ${made}` };
  }
  const logged = failure.server.find((entry) => entry.err !== undefined) ?? failure.server[0];
  if (logged !== undefined) {
    const err = logged.err;
    const message =
      err === undefined
        ? logged.msg
        : `${err.type ?? 'Error'}${err.code === undefined ? '' : ` ${err.code}`}: ${describe(err.message ?? '')}`;
    return { cause: `${message} at ${ourFrame(err?.stack)}`, ...(err?.stack === undefined ? {} : { stack: err.stack }) };
  }
  const text = failure.answer.body.toString('utf8', 0, 2000);
  const code = /"code":"([^"]+)"/.exec(text)?.[1] ?? /<Status code="(\d+)" text="([^"]*)"/.exec(text)?.slice(1).join(' ');
  return { cause: `answer ${failure.status} ${code ?? fold(text.slice(0, 120))} (no server log entry)` };
}

export class Findings {
  readonly groups = new Map<string, FindingGroup>();
  private written = 0;
  private made = false;

  constructor(
    readonly dir: string,
    private readonly maxFiles = 400,
  ) {}

  record(failure: Failure): FindingGroup {
    const { cause, stack } = causeOf(failure);
    // Hangs and missing answers behind an earlier, slower request: one group per channel and kind, whichever request it was.
    const signature =
      failure.behind === undefined
        ? `${failure.channel} ${failure.kind} ${failure.kind === '5xx' ? failure.status : ''} ${cause}`
        : `${failure.channel} ${failure.kind} behind`;
    const bytes = failure.body?.length ?? 0;
    let group = this.groups.get(signature);
    if (group === undefined) {
      const name = `${String(this.groups.size + 1).padStart(3, '0')}-${failure.channel}-${failure.kind}`;
      group = {
        signature,
        channel: failure.channel,
        kind: failure.kind,
        cause,
        count: 0,
        first: { index: failure.index, label: failure.label, status: failure.status, file: this.save(`${name}-first`, failure) },
        smallest: { index: failure.index, bytes, label: failure.label, file: '' },
        ...(stack === undefined ? {} : { stack }),
      };
      group.smallest.file = group.first.file;
      this.groups.set(signature, group);
    } else if (bytes < group.smallest.bytes) {
      const name = group.first.file.replace(/-first$/, '-smallest');
      group.smallest = { index: failure.index, bytes, label: failure.label, file: this.save(name.split('/').pop() ?? name, failure) };
    }
    group.count += 1;
    return group;
  }

  /** Writes <name>.input (the body as sent) and <name>.json (request, answer, server log); returns the path without extension. */
  private save(name: string, failure: Failure): string {
    const base = join(this.dir, name);
    if (this.written >= this.maxFiles) return `${base} (not saved: ${this.maxFiles} files written already)`;
    if (!this.made) mkdirSync(this.dir, { recursive: true });
    this.made = true;
    this.written += 2;
    writeFileSync(`${base}.input`, failure.body ?? Buffer.alloc(0));
    const answerText = failure.answer.body.toString('utf8');
    writeFileSync(
      `${base}.json`,
      JSON.stringify(
        {
          channel: failure.channel,
          index: failure.index,
          kind: failure.kind,
          label: failure.label,
          ...(failure.behind === undefined ? {} : { behind: failure.behind }),
          request: { method: failure.method, path: failure.path, headers: failure.headers, bodyBytes: failure.body?.length ?? 0 },
          answer: {
            status: failure.status,
            ms: Math.round(failure.ms),
            headers: failure.answer.headers,
            bytes: failure.answer.bytes,
            body: answerText.length > 20_000 ? `${answerText.slice(0, 20_000)}… (${failure.answer.bytes} bytes)` : answerText,
          },
          server: failure.server,
        },
        null,
        2,
      ),
    );
    return base;
  }

  /** Group summary for the report and the test's assertion message. */
  lines(): string[] {
    return [...this.groups.values()].map(
      (g) =>
        `${g.count}× ${g.channel} ${g.kind}${g.kind === '5xx' ? ` (${g.first.status})` : ''}: ${g.cause}\n` +
        `    e.g. #${g.smallest.index} (${g.smallest.bytes} bytes): ${g.smallest.label.slice(0, 300)}\n    saved: ${g.smallest.file}.input / .json`,
    );
  }
}
