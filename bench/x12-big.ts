import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createBenchDatabase, fmt, log, postJson, sleep, startServerProcess, summarize, table, watchdog } from './support.ts';

// npm run bench:x12-big [-- --sets 100000 --kind refused|orders] [--profile DIR]
//
// One X12 interchange of many small sets (issue 12, finding 3), POSTed to a gateway in its own
// process on the local PostgreSQL, while /healthz is asked every 50 ms and the server's RSS is read
// from /proc. Prints the time to the 997, its AK9 counts, /healthz latency meanwhile and RSS.
//
// --kind refused (default): every set lacks its BEG, so each is refused (AK5 R): about 45 bytes a
//   set, 100,000 sets about 4.5 MB, within the default body limit. What is measured is reading,
//   checking and answering.
// --kind orders: every set is a one-line order (stored, planned, its requests in the outbox), about
//   90 bytes a set, 100,000 sets about 9 MB: the server gets BODY_LIMIT_BYTES of 32 MiB.

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: '100000' },
    kind: { type: 'string', default: 'refused' },
    // A CPU profile of the server into this directory (node --cpu-prof), to see what holds the loop.
    profile: { type: 'string' },
  },
});
const sets = Number(values.sets);
const kind = values.kind === 'orders' ? 'orders' : 'refused';
const adminKey = 'bench-admin-key-0123456789abcdef';
const identity = { qualifier: 'ZZ', id: 'BIGBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

function bigInterchange(): Buffer {
  const parts = [
    'ISA*00*          *00*          *ZZ*BIGBUYER       *ZZ*ORDERGATE      *261127*1200*U*00401*000000001*0*P*>~',
    'GS*PO*BIGBUYER*ORDERGATE*20261127*1200*1*X*004010~',
  ];
  for (let i = 1; i <= sets; i++) {
    const st02 = String(i).padStart(4, '0');
    parts.push(
      kind === 'orders'
        ? `ST*850*${st02}~BEG*00*SA*PO-${i}**20261127~PO1*1*1*EA*9.99**VN*MODEM-X1~CTT*1~SE*5*${st02}~`
        : `ST*850*${st02}~PO1*1*1*EA*1**VN*X1~SE*3*${st02}~`,
    );
  }
  parts.push(`GE*${sets}*1~`, 'IEA*1*000000001~');
  return Buffer.from(parts.join(''));
}

/** Resident set size of a process, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** One POST with no client-side timeout (fetch gives up on headers after 300 s). */
function post(url: string, key: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/edi-x12', 'content-length': body.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** AK9 of the answer: status, included, received, accepted. */
const ak9Of = (answer: string): string => /AK9\*[^~]*/.exec(answer)?.[0] ?? '(no AK9)';

async function main(): Promise<void> {
  const body = bigInterchange();
  log(`${sets} ${kind} sets, ${fmt(body.length / 1024 / 1024, 2)} MiB`);
  const database = await createBenchDatabase();
  const server = await startServerProcess({
    databaseUrl: database.url,
    adminKey,
    env: { BODY_LIMIT_BYTES: String(32 * 1024 * 1024) },
    ...(values.profile === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] }),
  });
  const cleanup = async (): Promise<void> => {
    await server.stop();
    await database.drop();
  };
  const guard = watchdog(15 * 60_000, cleanup);
  try {
    const partner = await postJson<{ id: string }>(`${server.url}/v1/partners`, adminKey, { name: 'Big buyer', x12: identity });
    const { key } = await postJson<{ key: string }>(`${server.url}/v1/partners/${partner.id}/api-keys`, adminKey, {});
    await sleep(1_000);
    const rssBefore = rssMiB(server.pid);
    let rssPeak = rssBefore;

    let done = false;
    const healthz: number[] = [];
    const probe = (async () => {
      while (!done) {
        const started = performance.now();
        await (await fetch(`${server.url}/healthz`)).text();
        healthz.push(performance.now() - started);
        rssPeak = Math.max(rssPeak, rssMiB(server.pid));
        await sleep(50);
      }
    })();

    const started = performance.now();
    const response = await post(`${server.url}/v1/x12`, key, body).finally(() => {
      done = true;
    });
    const answer = response.text;
    const seconds = (performance.now() - started) / 1000;
    await probe;
    await sleep(2_000);
    const rssAfter = rssMiB(server.pid);

    const h = summarize(healthz);
    process.stdout.write(
      `${table([
        [
          'sets',
          'kind',
          'MiB',
          'status',
          'seconds to answer',
          'AK9',
          'healthz n',
          'p50 ms',
          'p99 ms',
          'max ms',
          'RSS before',
          'peak',
          'after',
        ],
        [
          String(sets),
          kind,
          fmt(body.length / 1024 / 1024, 2),
          String(response.status),
          fmt(seconds, 2),
          response.status === 200 ? ak9Of(answer) : answer.slice(0, 80),
          String(h.count),
          fmt(h.p50),
          fmt(h.p99),
          fmt(h.max),
          fmt(rssBefore, 0),
          fmt(rssPeak, 0),
          fmt(rssAfter, 0),
        ],
      ])}\n`,
    );
  } finally {
    guard.clear();
    await cleanup();
  }
}

await main();
