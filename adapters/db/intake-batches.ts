import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { documentStored } from '../../domain/partner-events.ts';
import type { DocumentRecord, IdempotencyRecord } from '../../pipeline/ports.ts';
import { insertOutboxSql, outboxJson, type OutboxJson } from './outbox-rows.ts';

// What a group of requests writes, one statement per kind of row however many requests there are
// (a group commit holds dozens of orders from many partners): the same SQL text every time, the
// rows bound as one JSON parameter and the document bodies as one bytea array.

/** One document of many, in the shape the documents insert below reads (bodies apart, by `n`). */
function documentJson(n: number, id: string, partnerId: string, orderId: string | null, document: DocumentRecord): Record<string, unknown> {
  return {
    n,
    id,
    partner_id: partnerId,
    order_id: orderId,
    direction: document.direction ?? 'inbound',
    channel: document.channel,
    type: document.type,
    content_type: document.contentType,
    sha256: document.sha256,
    control: document.control,
    findings: document.findings ?? null,
    delivery_state: document.deliveryState ?? null,
    ack_due_at: document.ackDueAt === undefined ? null : document.ackDueAt.toISOString(),
  };
}

const bodyOf = (document: DocumentRecord): Buffer =>
  Buffer.isBuffer(document.body) ? document.body : Buffer.from(document.body.buffer, document.body.byteOffset, document.body.byteLength);

// Its parameters: the documents as JSON, then their bodies. `n` is 1-based, as WITH ORDINALITY counts. The wall clock per row, not the transaction's start:
// documents written together are listed in the order they were written. A pushed document's first
// push is the committing request's; after two minutes a worker takes it over (document-pushes.ts).
const documentsSelect = (only = ''): string => `
SELECT d.id, d.partner_id, d.order_id, d.direction, d.channel, d.type, d.content_type, b.body, d.sha256, d.control, d.findings,
  d.delivery_state, CASE WHEN d.delivery_state = 'pending' THEN clock_timestamp() + interval '2 minutes' END, d.ack_due_at, clock_timestamp()
FROM jsonb_to_recordset(?::jsonb) AS d(n bigint, id text, partner_id text, order_id text, direction text, channel text, type text,
  content_type text, sha256 text, control jsonb, findings jsonb, delivery_state text, ack_due_at timestamptz)
JOIN unnest(?::bytea[]) WITH ORDINALITY AS b(body, n) ON b.n = d.n ${only}
ORDER BY d.n`;

const documentColumns =
  'id, partner_id, order_id, direction, channel, type, content_type, body, sha256, control, findings, delivery_state, push_after, ack_due_at, created_at';

/** An envelope's claim of its key, with its document stored when the claim is new. */
export interface DocumentClaim {
  partnerId: string;
  scope: string;
  key: string;
  requestHash: string;
  document: DocumentRecord;
}

// Each document goes in only if its claim did; the first of two claims of one key takes it.
const claimWithDocumentsSql = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(?::jsonb) AS c(n bigint, partner_id text, scope text, key text, request_hash text)
), claim AS (
  INSERT INTO idempotency_records (partner_id, scope, key, request_hash, response_status, response_body)
  SELECT partner_id, scope, key, request_hash, 0, 'null'::jsonb FROM input ORDER BY n
  ON CONFLICT (partner_id, scope, key) DO NOTHING
  RETURNING partner_id, scope, key
), claimed AS (
  SELECT min(i.n) AS n FROM input i JOIN claim c ON c.partner_id = i.partner_id AND c.scope = i.scope AND c.key = i.key
  GROUP BY i.partner_id, i.scope, i.key
), docs AS (
  INSERT INTO documents (${documentColumns}) ${documentsSelect('WHERE d.n IN (SELECT n FROM claimed)')}
)
SELECT n FROM claimed`;

/**
 * Claims of many envelopes' keys (any partners) in one statement, each envelope's document stored
 * with its claim when the claim is new ({ documentId }); for a key taken before, its record (a
 * concurrent holder makes the statement wait until it commits or rolls back).
 */
export async function claimWithDocuments(
  trx: Knex.Transaction,
  outbox: OutboxJson[],
  claims: readonly DocumentClaim[],
): Promise<(IdempotencyRecord | { documentId: string })[]> {
  if (claims.length === 0) return [];
  const ids = claims.map(() => randomUUID());
  const result = await trx.raw(claimWithDocumentsSql, [
    JSON.stringify(
      claims.map(({ partnerId, scope, key, requestHash }, index) => ({
        n: index + 1,
        partner_id: partnerId,
        scope,
        key,
        request_hash: requestHash,
      })),
    ),
    JSON.stringify(
      claims.map(({ partnerId, document }, index) => documentJson(index + 1, ids[index] as string, partnerId, null, document)),
    ),
    claims.map(({ document }) => bodyOf(document)),
  ]);
  const claimed = new Set((result.rows as { n: string | number }[]).map((row) => Number(row.n) - 1));
  const outcomes: (IdempotencyRecord | { documentId: string } | undefined)[] = claims.map((claim, index) => {
    if (!claimed.has(index)) return undefined;
    const id = ids[index] as string;
    outbox.push(outboxJson(documentStored(id, claim.partnerId, null, claim.document)));
    return { documentId: id };
  });
  const records = await recordsOf(
    trx,
    claims.filter((_claim, index) => outcomes[index] === undefined),
  );
  return claims.map((claim, index) => outcomes[index] ?? recordOf(records, claim));
}

type Key = { partnerId: string; scope: string; key: string };

export const keyText = ({ partnerId, scope, key }: Key): string => JSON.stringify([partnerId, scope, key]);

export function recordOf(records: Map<string, IdempotencyRecord>, key: Key): IdempotencyRecord {
  const record = records.get(keyText(key));
  if (record === undefined) throw new Error(`idempotency record ${key.scope}/${key.key} vanished while claiming it`);
  return record;
}

/** The records of keys taken before (read after the claim, so a holder that committed meanwhile is seen). */
export async function recordsOf(trx: Knex.Transaction, keys: readonly Key[]): Promise<Map<string, IdempotencyRecord>> {
  const records = new Map<string, IdempotencyRecord>();
  if (keys.length === 0) return records;
  const existing = await trx.raw(
    `SELECT r.partner_id, r.scope, r.key, r.request_hash, r.response_status, r.response_body, r.order_id
     FROM idempotency_records r
     JOIN jsonb_to_recordset(?::jsonb) AS c(partner_id text, scope text, key text) ON r.partner_id = c.partner_id AND r.scope = c.scope AND r.key = c.key`,
    [JSON.stringify(keys.map(({ partnerId, scope, key }) => ({ partner_id: partnerId, scope, key })))],
  );
  for (const row of existing.rows as {
    partner_id: string;
    scope: string;
    key: string;
    request_hash: string;
    response_status: number;
    response_body: unknown;
    order_id: string | null;
  }[])
    records.set(keyText({ partnerId: row.partner_id, scope: row.scope, key: row.key }), {
      requestHash: row.request_hash,
      responseStatus: row.response_status,
      responseBody: row.response_body,
      orderId: row.order_id,
    });
  return records;
}

/** A document to store with, when given, the idempotency answer that repeats it. */
export interface StoredAnswer {
  partnerId: string;
  orderId?: string | null;
  document: DocumentRecord;
  idempotency?: { scope: string; key: string; response: { status: number; body: unknown; orderId: string | null } };
}

const storeAnswersSql = `
WITH docs AS (
  INSERT INTO documents (${documentColumns}) ${documentsSelect()}
), box AS (${insertOutboxSql}
), answers AS (
  UPDATE idempotency_records r SET response_status = u.status, response_body = u.body, order_id = u.order_id
  FROM jsonb_to_recordset(?::jsonb) AS u(partner_id text, scope text, key text, status integer, body jsonb, order_id text)
  WHERE r.partner_id = u.partner_id AND r.scope = u.scope AND r.key = u.key
)
SELECT 1`;

/**
 * Documents (answers, or the orders they answer), every message enqueued so far and the idempotency
 * answers: one statement for any number. It runs while partners' control numbers are locked (see
 * takeControlNumbers), so it is the last before COMMIT. The documents' ids in the same order.
 */
export async function storeAnswers(trx: Knex.Transaction, outbox: OutboxJson[], answers: readonly StoredAnswer[]): Promise<string[]> {
  const ids = answers.map(() => randomUUID());
  answers.forEach(({ partnerId, orderId = null, document }, index) =>
    outbox.push(outboxJson(documentStored(ids[index] as string, partnerId, orderId, document))),
  );
  await trx.raw(storeAnswersSql, [
    JSON.stringify(
      answers.map(({ partnerId, orderId = null, document }, index) =>
        documentJson(index + 1, ids[index] as string, partnerId, orderId, document),
      ),
    ),
    answers.map(({ document }) => bodyOf(document)),
    JSON.stringify(outbox.splice(0)),
    JSON.stringify(
      answers.flatMap(({ partnerId, idempotency }) =>
        idempotency === undefined
          ? []
          : [
              {
                partner_id: partnerId,
                scope: idempotency.scope,
                key: idempotency.key,
                status: idempotency.response.status,
                body: idempotency.response.body,
                order_id: idempotency.response.orderId,
              },
            ],
      ),
    ),
  ]);
  return ids;
}

/** Control numbers asked for by one document: how many of each kind, for its partner. */
export interface ControlNumberAsk {
  partnerId: string;
  counts: Record<string, number>;
}

const takeControlNumbersSql = `
INSERT INTO control_numbers (partner_id, kind, last)
SELECT partner_id, kind, count FROM jsonb_to_recordset(?::jsonb) AS c(n integer, partner_id text, kind text, count bigint) ORDER BY n
ON CONFLICT (partner_id, kind) DO UPDATE SET last = control_numbers.last + EXCLUDED.last
RETURNING partner_id, kind, last`;

/**
 * The control numbers of many documents, for any partners, in one statement: each counter row is
 * taken once for all of them (in partner and kind order, so that no two takers wait on each other
 * crosswise) and the range split among the documents in the order asked, gap-free. The rows stay
 * locked until commit. The first number of each kind, per document.
 */
export async function takeControlNumbers(trx: Knex.Transaction, asks: readonly ControlNumberAsk[]): Promise<Record<string, number>[]> {
  const totals = new Map<string, { partnerId: string; kind: string; count: number }>();
  for (const { partnerId, counts } of asks)
    for (const kind of Object.keys(counts)) {
      const name = JSON.stringify([partnerId, kind]);
      const total = totals.get(name) ?? { partnerId, kind, count: 0 };
      total.count += counts[kind] as number;
      totals.set(name, total);
    }
  if (totals.size === 0) return asks.map(() => ({}));
  const rows = [...totals.values()].sort((a, b) =>
    a.partnerId === b.partnerId ? (a.kind < b.kind ? -1 : 1) : a.partnerId < b.partnerId ? -1 : 1,
  );
  const result = await trx.raw(takeControlNumbersSql, [
    JSON.stringify(rows.map(({ partnerId, kind, count }, n) => ({ n, partner_id: partnerId, kind, count }))),
  ]);
  /** The next number to hand out, per partner and kind. */
  const next = new Map<string, number>();
  for (const row of result.rows as { partner_id: string; kind: string; last: string | number }[]) {
    const name = JSON.stringify([row.partner_id, row.kind]);
    next.set(name, Number(row.last) - (totals.get(name)?.count as number) + 1);
  }
  return asks.map(({ partnerId, counts }) => {
    const first: Record<string, number> = {};
    for (const kind of Object.keys(counts)) {
      const name = JSON.stringify([partnerId, kind]);
      const at = next.get(name) as number;
      first[kind] = at;
      next.set(name, at + (counts[kind] as number));
    }
    return first;
  });
}
