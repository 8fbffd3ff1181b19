import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { postJson, summarize, type LatencySummary } from './support.ts';

// bench:e2e's load: distinct 850 interchanges (the bundle fixture with its own ISA13/IEA02, GS06/GE02,
// ST02/SE02 and BEG03 each), POSTed to /v1/x12 by a fixed number of keep-alive connections.

const fixture = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

/** The identity of api/x12.test.ts: the fixture's ISA sender and receiver. */
export const x12Identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

/** What interchange() replaces: ISA06 and GS02 (the sender), ISA13, IEA02, GS06, GE02, ST02, SE02, BEG03 of the fixture. */
const fields: [string, (n: number, sender: string) => string][] = [
  ['*ZZ*ACMEBUYER      *', (_n, sender) => `*ZZ*${sender.padEnd(15)}*`],
  ['GS*PO*ACMEBUYER*', (_n, sender) => `GS*PO*${sender}*`],
  ['*000000101*0*P*', (n) => `*${String(n).padStart(9, '0')}*0*P*`],
  ['IEA*1*000000101', (n) => `IEA*1*${String(n).padStart(9, '0')}`],
  ['*1200*101*X*', (n) => `*1200*${n}*X*`],
  ['GE*1*101', (n) => `GE*1*${n}`],
  ['ST*850*0001', (n) => `ST*850*${String(n).padStart(4, '0')}`],
  ['SE*17*0001', (n) => `SE*17*${String(n).padStart(4, '0')}`],
  ['BEG*00*SA*PO-7001*', (n) => `BEG*00*SA*PO-E2E-${n}*`],
];
for (const [text] of fields) {
  if (fixture.split(text).length !== 2)
    throw new Error(
      `adapters/x12/fixtures/850-bundle.x12 changed: bench/e2e-x12.ts finds "${text}" in it ${fixture.split(text).length - 1} times, not once`,
    );
}

/** Interchange n (1..999_999_999) from `sender` (ISA06): every control number and the PO number (BEG03, at most 22 characters) its own. */
export function interchange(n: number, sender = x12Identity.id): string {
  let text = fixture;
  for (const [from, to] of fields) text = text.replace(from, to(n, sender));
  return text;
}

/** Fulfillment requests one interchange makes with the demo catalog (MODEM-X1 ship; the bundle's modem, port, truck roll). */
export const requestsPerOrder = 4;

export interface X12Partner {
  id: string;
  key: string;
  /** Its ISA06 / GS02. */
  sender: string;
}

/** Partner 0 is api/x12.test.ts's ACMEBUYER; others (only for --partners) are E2EBUYER<n>, each with control-number counters of its own. */
export async function createX12Partner(baseUrl: string, adminKey: string, index = 0): Promise<X12Partner> {
  const sender = index === 0 ? x12Identity.id : `E2EBUYER${index}`;
  const partner = await postJson<{ id: string }>(`${baseUrl}/v1/partners`, adminKey, {
    name: `E2E Bench Buyer ${index}`,
    x12: { ...x12Identity, id: sender },
  });
  const { key } = await postJson<{ key: string }>(`${baseUrl}/v1/partners/${partner.id}/api-keys`, adminKey, {});
  return { id: partner.id, key, sender };
}

/** One POST /v1/x12: the interchange and the key of the partner it comes from. */
export interface X12Post {
  body: string;
  key: string;
}

export interface PostResult {
  status: number;
  body: string;
  ms: number;
}

export interface X12Client {
  post(request: X12Post): Promise<PostResult>;
  close(): void;
}

/** Plain node:http over `connections` keep-alive sockets: less client CPU than fetch on a small machine. */
export function x12Client(baseUrl: string, connections: number): X12Client {
  const url = new URL('/v1/x12', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  return {
    post: ({ body, key }) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const headers = {
          authorization: `Bearer ${key}`,
          'content-type': 'application/edi-x12',
          'content-length': Buffer.byteLength(body),
        };
        const req = request(url, { method: 'POST', agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
          );
          res.on('error', reject);
        });
        req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** An accepting 997: the set accepted (AK5 A) and the group accepted (AK9 A). */
export const accepted = (body: string): boolean => /AK5\*A~/.test(body) && /AK9\*A\*/.test(body);

export interface PostRun {
  ok: number;
  failed: number;
  /** The first few failures, as text. */
  problems: string[];
  latency: LatencySummary;
  /** performance.now() of the first request sent and the last answer received. */
  firstSentAt: number;
  lastAnsweredAt: number;
  /** performance.now() of every accepted answer, in arrival order (for the timeline). */
  answeredAt: number[];
}

/** Every body once, `connections` at a time (closed loop: a connection sends its next as soon as it has its answer). */
export async function postAll(
  client: X12Client,
  posts: readonly X12Post[],
  connections: number,
  onAccepted?: () => void,
): Promise<PostRun> {
  const latencies: number[] = [];
  const answeredAt: number[] = [];
  const problems: string[] = [];
  let failed = 0;
  let next = 0;
  const firstSentAt = performance.now();
  let lastAnsweredAt = firstSentAt;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < posts.length) {
        const post = posts[next++] as X12Post;
        try {
          const result = await client.post(post);
          lastAnsweredAt = performance.now();
          if (result.status === 200 && accepted(result.body)) {
            latencies.push(result.ms);
            answeredAt.push(lastAnsweredAt);
            onAccepted?.();
          } else {
            failed += 1;
            if (problems.length < 5) problems.push(`HTTP ${result.status}: ${result.body.slice(0, 300)}`);
          }
        } catch (error) {
          failed += 1;
          if (problems.length < 5) problems.push(`request error: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }),
  );
  return { ok: latencies.length, failed, problems, latency: summarize(latencies), firstSentAt, lastAnsweredAt, answeredAt };
}
