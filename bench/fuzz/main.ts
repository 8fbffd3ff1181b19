import { parseArgs } from 'node:util';
import { allChannels, defaultFindingsDir, runCampaign, type ChannelName } from './campaign.ts';
import { failed, formatReport } from './report.ts';

// npm run fuzz — the project's own fuzz campaign against a real gateway in a child process. Inputs for
// X12, cXML, JSON orders and shop webhooks: the public samples and fixtures, and generated documents,
// mutated (bytes, delimiters, segments and elements, NUL and lone surrogates, identifiers too long,
// deep nesting, huge repeats, wrong types, wrong keys and signatures, reused ids). Deterministic per
// seed: input N of a channel depends only on (seed, channel, N).
// Reports per channel the status histogram, 5xx, hangs (answers slower than --hang-ms), latency;
// /healthz latency polled every 100 ms meanwhile; the server's RSS before, at peak and after. Every
// 5xx, hang or missing answer is filed by cause under fuzz-findings/ (gitignored) with its input and
// answer. Exit code 1 on any of them, 2 on a wrong call.
//
//   --db postgres|embedded   a fresh database on the local PostgreSQL (TEST_POSTGRES_URL or
//                            postgres://postgres@127.0.0.1:5432/postgres), dropped after; or the
//                            embedded default (PGlite) in a temporary DATA_DIR (default postgres)
//   --channels x12,cxml,json,webhook   (default all)
//   --count N                inputs per channel (default 1000)
//   --time S                 stop sending after S seconds (default 86400: a day)
//   --concurrency C          requests in flight at once (default 8)
//   --seed S                 (default 1)
//   --only N                 input N of each channel only; prints its label and answer
//   --hang-ms MS             (default 2000)   --timeout-ms MS (default 30000)
//   --ms-per-mib MS          (default 10000: added to both for each MiB of an input)
//   --entry dist|source      node dist/app/main.js, built first if stale (default), or app/main.ts via tsx
//   --body-limit BYTES       the gateway's BODY_LIMIT_BYTES (default 5242880)

const usage =
  'usage: npm run fuzz -- [--db postgres|embedded] [--channels x12,cxml,json,webhook] [--count N] [--time S] [--concurrency C] [--seed S] [--only N]';

function options() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'postgres' },
      channels: { type: 'string', default: allChannels.map((c) => c.name).join(',') },
      count: { type: 'string', default: '1000' },
      time: { type: 'string', default: '86400' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      'hang-ms': { type: 'string', default: '2000' },
      'timeout-ms': { type: 'string', default: '30000' },
      'ms-per-mib': { type: 'string', default: '10000' },
      entry: { type: 'string', default: 'dist' },
      'body-limit': { type: 'string', default: String(5 * 1024 * 1024) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const whole = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
    return n;
  };
  if (values.db !== 'postgres' && values.db !== 'embedded') throw new Error(`--db must be postgres or embedded, got "${values.db}"`);
  if (values.entry !== 'dist' && values.entry !== 'source') throw new Error(`--entry must be dist or source, got "${values.entry}"`);
  const known = allChannels.map((c) => c.name as string);
  const channels = values.channels.split(',').map((c) => c.trim());
  const unknown = channels.filter((c) => !known.includes(c));
  if (unknown.length > 0 || channels.length === 0)
    throw new Error(`--channels: ${unknown.join(', ')} unknown; choose from ${known.join(', ')}`);
  const only = values.only === undefined ? undefined : whole('only', values.only, 0);
  return {
    db: values.db,
    entry: values.entry,
    channels: channels as ChannelName[],
    count: only === undefined ? whole('count', values.count, 1) : 1,
    ...(only === undefined ? {} : { first: only }),
    timeSeconds: whole('time', values.time, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    seed: values.seed,
    hangMs: whole('hang-ms', values['hang-ms'], 1),
    timeoutMs: whole('timeout-ms', values['timeout-ms'], 1),
    msPerMiB: whole('ms-per-mib', values['ms-per-mib'], 0),
    bodyLimitBytes: whole('body-limit', values['body-limit'], 1024),
    only,
  } as const;
}

async function main(): Promise<number> {
  let chosen: ReturnType<typeof options>;
  try {
    chosen = options();
  } catch (error) {
    process.stderr.write(`fuzz: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`[fuzz] ${line}\n`);
  const result = await runCampaign({
    ...chosen,
    postgresAdminUrl: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    findingsDir: defaultFindingsDir,
    log,
    ...(chosen.only === undefined
      ? {}
      : {
          onAnswer: (channel, index, input, answer) => {
            const body = answer.body.toString('utf8');
            log(`${channel} #${index}: ${input.method} ${input.path} (${input.body?.length ?? 0} bytes) — ${input.label}`);
            log(
              `→ ${answer.status} in ${answer.ms.toFixed(0)} ms (${answer.bytes} bytes): ${body.slice(0, 2000)}${body.length > 2000 ? '…' : ''}`,
            );
          },
        }),
  });
  process.stdout.write(`${formatReport(result, chosen.hangMs, chosen.msPerMiB)}\n`);
  return failed(result) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
