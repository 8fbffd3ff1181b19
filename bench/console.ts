import { loadavg } from 'node:os';
import { connectDatabase, ensureAdminKey, migrateToLatest, type Database } from '../adapters/db/index.ts';
import { processSecretKey } from '../adapters/webhook/index.ts';
import { buildServer } from '../api/server.ts';
import { composeServer, startCalendars, startCatalog } from '../app/compose.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { generateHistory } from './reports-data.ts';
import { fmt, log, runMain, summarize, table } from './support.ts';

// npm run bench:console — every console page over HTTP with 10,000 orders stored (bench/reports-data.ts
// writes the history: orders, lines, events, tasks, approvals, work items, dead letters; each order's
// 850 in and, once acknowledged, 997 and 855 out are added here), signed in
// as the admin, who sees the most. The pages are found as a person would: from the navigation, then
// the links on those pages and on the pages they lead to (at most two of each kind: /console/orders/:id, ...). Each page is
// asked BENCH_RUNS times after a warm-up; the goal: every page's slowest answer under 200 ms.
//   BENCH_ORDERS (10000), BENCH_RUNS (15)

const orders = Number(process.env.BENCH_ORDERS ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 15);
const goalMs = 200;
const adminKey = 'bench-console-admin-key-0123456789';

/** /console/orders/3f0c…?x=1 → /console/orders/:id: one kind of page. */
const kindOf = (path: string): string =>
  path
    .split('?')[0]!
    .split('/')
    .map((segment, i) => (i > 2 && (/\d/.test(segment) || segment.length > 24) ? ':id' : segment))
    .join('/');

async function main(): Promise<number> {
  const { url, drop } = await createPostgresDatabase();
  const db = connectDatabase({ url, dataDir: '', poolMax: 10 });
  try {
    await migrateToLatest(db);
    log(`generating ${orders.toLocaleString('en')} orders of history`);
    await generateHistory(db, url, orders, new Date());
    await generateDocuments(db);
    await ensureAdminKey(db, adminKey);
    const calendars = startCalendars(undefined);
    const app = await buildServer(
      composeServer({
        db,
        catalog: startCatalog(calendars),
        calendars,
        secretKey: processSecretKey(),
        bodyLimitBytes: 1 << 20,
        amqp: false,
      }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    try {
      const cookie = await signIn(base);
      const get = async (path: string) => {
        const started = performance.now();
        const response = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
        const body = await response.text();
        return { ms: performance.now() - started, status: response.status, body };
      };

      // The pages, found from the navigation as a person would.
      const home = await get('/console/work');
      const sections = [...home.body.matchAll(/<nav aria-label="Sections">([\s\S]*?)<\/nav>/g)].flatMap((m) =>
        [...(m[1] ?? '').matchAll(/href="([^"]+)"/g)].map((h) => h[1]!),
      );
      const pages: string[] = ['/console/sign-in'];
      const perKind = new Map<string, number>();
      const add = (path: string) => {
        const kind = kindOf(path);
        if (pages.includes(path) || (perKind.get(kind) ?? 0) >= 2) return false;
        perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
        pages.push(path);
        return true;
      };
      // The sections, the pages they link to, and the pages those link to (at most two of each kind).
      let level = sections.filter(add);
      for (let depth = 0; depth < 2; depth += 1) {
        const next: string[] = [];
        for (const path of level) {
          const page = await get(path);
          for (const [, href] of page.body.matchAll(/<a href="(\/console\/[^"#]+)"/g)) {
            const link = href!.replace(/&amp;/g, '&');
            if (!/\.csv(\?|$)/.test(link) && !link.startsWith('/console/assets/') && add(link)) next.push(link);
          }
        }
        level = next;
      }

      const rows: string[][] = [['page', 'status', 'median ms', 'p90 ms', 'worst ms', `< ${goalMs} ms`]];
      let missed = 0;
      const loadBefore = loadavg()[0] ?? 0;
      for (const path of pages) {
        const first = await get(path);
        if (first.status >= 500) log(`${path}: ${first.body.slice(first.body.indexOf('<main'), first.body.indexOf('<main') + 800)}`);
        const timings: number[] = [];
        for (let run = 0; run < runs; run += 1) timings.push((await get(path)).ms);
        const { p50, p90, max } = summarize(timings);
        if (max >= goalMs || first.status >= 400) missed += 1;
        rows.push([
          path.length > 70 ? `${path.slice(0, 67)}...` : path,
          String(first.status),
          fmt(p50),
          fmt(p90),
          fmt(max),
          max < goalMs && first.status < 400 ? 'yes' : 'NO',
        ]);
      }
      const counts = (
        await db.raw(
          `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM work_items) AS work_items, (SELECT count(*) FROM documents) AS documents`,
        )
      ).rows[0];
      process.stdout.write(`\n${table(rows)}\n`);
      process.stdout.write(
        `${counts.orders} orders, ${counts.work_items} work items, ${counts.documents} documents; ${runs} runs per page after one warm-up, over HTTP on loopback, signed in as the admin; load average (1 min) ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0] ?? 0, 2)} after\n`,
      );
      return missed === 0 ? 0 : 1;
    } finally {
      await app.close();
    }
  } finally {
    await db.destroy();
    await drop();
  }
}

/**
 * Each order's documents as an EDI partner's would be: the 850 it came in as (a small interchange
 * with the order's reference), and for those acknowledged our 997 and 855 out.
 */
async function generateDocuments(db: Database): Promise<void> {
  const interchange = (type: string, ref: string, n: string) =>
    `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*ORDERGATE      *261206*1200*U*00401*${n}*0*P*>~` +
    `GS*${type === '850' ? 'PO' : type === '855' ? 'PR' : 'FA'}*PARTNER*ORDERGATE*20261206*1200*${Number(n)}*X*004010~ST*${type}*0001~` +
    (type === '850'
      ? `BEG*00*SA*${ref}**20261206~PO1*1*2*EA*49.5**VP*MODEM-X1~PO1*2*1*EA*59.99**VP*INTERNET-100~CTT*2~SE*6*0001~`
      : `BAK*00*AC*${ref}*20261206~SE*3*0001~`) +
    `GE*1*${Number(n)}~IEA*1*${n}~`;
  await db.raw(
    `INSERT INTO documents (id, partner_id, order_id, direction, channel, type, content_type, body, sha256, control, created_at)
     SELECT md5(o.id || d.type)::uuid::text, o.partner_id, o.id, d.direction, 'x12', d.type, 'application/edi-x12',
       convert_to(replace(replace(?, '{ref}', o.external_ref), '{type}', d.type), 'UTF8'), md5(o.id || d.type),
       jsonb_build_object('isaControlNumber', lpad((abs(hashtext(o.id)) % 1000000000)::text, 9, '0'), 'gsControlNumber', '1', 'stControlNumber', '0001'),
       o.created_at + d.after
     FROM orders o CROSS JOIN (VALUES ('inbound', '850', interval '0'), ('outbound', '997', interval '1 minute'), ('outbound', '855', interval '2 hours')) d(direction, type, after)
     WHERE d.type = '850' OR o.acknowledged_at IS NOT NULL`,
    [interchange('{type}', '{ref}', '000000001')],
  );
}

/** Signs in through the form, as a browser does; the session's cookie. */
async function signIn(base: string): Promise<string> {
  const page = await fetch(`${base}/console/sign-in`);
  const formCookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const signedIn = await fetch(`${base}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie },
    body: new URLSearchParams({ _csrf: token, key: adminKey, next: '' }).toString(),
  });
  const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('ordergate_session='));
  if (session === undefined) throw new Error(`sign-in failed: ${signedIn.status}`);
  return session.split(';')[0]!;
}

runMain(main);
