import { shownDeliveryError } from '../../domain/outbound-target.ts';
import type { Database } from './connect.ts';
import type { Viewer } from './order-queries.ts';

export interface DocumentSummary {
  id: string;
  partnerId: string;
  orderId: string | null;
  direction: 'inbound' | 'outbound';
  channel: string;
  type: string;
  contentType: string;
  sha256: string;
  control: Record<string, unknown>;
  findings?: unknown;
  delivery?: { state: string; attempts: number; lastError?: string };
  /** Outbound X12 855/856/810: the partner's 997/999 or TA1 (state null: none yet, not due). */
  acknowledgment?: { state: string | null; dueAt?: string; at?: string; detail?: unknown };
  /** An X12 interchange (orderId null): the first orders stored from its sets; moreOrders when it holds others. */
  orderIds?: string[];
  moreOrders?: boolean;
  /** Inbound X12: our 997/999 and TA1 answering it. */
  answers?: { id: string; type: string }[];
  createdAt: string;
}

const columns = [
  'id',
  'partner_id',
  'order_id',
  'direction',
  'channel',
  'type',
  'content_type',
  'sha256',
  'control',
  'findings',
  'delivery_state',
  'delivery_attempts',
  'last_delivery_error',
  'ack_state',
  'ack_detail',
  'acked_at',
  'ack_due_at',
  'created_at',
];

const isoOrNothing = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : new Date(value as string).toISOString();

function acknowledgmentOf(row: Record<string, unknown>): DocumentSummary['acknowledgment'] {
  if ((row.ack_state === null || row.ack_state === undefined) && (row.ack_due_at === null || row.ack_due_at === undefined))
    return undefined;
  const dueAt = isoOrNothing(row.ack_due_at);
  const at = isoOrNothing(row.acked_at);
  return {
    state: (row.ack_state as string | null) ?? null,
    ...(dueAt === undefined ? {} : { dueAt }),
    ...(at === undefined ? {} : { at }),
    ...(row.ack_detail === null || row.ack_detail === undefined ? {} : { detail: row.ack_detail }),
  };
}

const toSummary = (row: Record<string, unknown>): DocumentSummary => ({
  id: row.id as string,
  partnerId: row.partner_id as string,
  orderId: (row.order_id as string | null) ?? null,
  direction: row.direction as DocumentSummary['direction'],
  channel: row.channel as string,
  type: row.type as string,
  contentType: row.content_type as string,
  sha256: row.sha256 as string,
  control: row.control as Record<string, unknown>,
  ...(row.findings === null || row.findings === undefined ? {} : { findings: row.findings }),
  ...(row.delivery_state === null || row.delivery_state === undefined
    ? {}
    : {
        delivery: {
          state: row.delivery_state as string,
          attempts: Number(row.delivery_attempts),
          ...(row.last_delivery_error === null ? {} : { lastError: shownDeliveryError(row.last_delivery_error as string) }),
        },
      }),
  ...(acknowledgmentOf(row) === undefined ? {} : { acknowledgment: acknowledgmentOf(row) }),
  createdAt: new Date(row.created_at as string).toISOString(),
});

/** Our answers (997/999, TA1) to the inbound documents among these, by the document they answer. */
async function answered(db: Database, documents: DocumentSummary[]): Promise<DocumentSummary[]> {
  const inbound = documents.filter((d) => d.direction === 'inbound' && d.channel === 'x12').map((d) => d.id);
  if (inbound.length === 0) return documents;
  const rows: { id: string; type: string; answers: string }[] = await db('documents')
    .select('id', 'type', db.raw(`control ->> 'inboundDocumentId' AS answers`))
    .whereRaw(`control ->> 'inboundDocumentId' = ANY (?::text[])`, [inbound])
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return documents.map((d) => {
    const answers = rows.filter((row) => row.answers === d.id).map(({ id, type }) => ({ id, type }));
    return answers.length === 0 ? d : { ...d, answers };
  });
}

/** How many of an interchange's orders a document names. */
export const ordersNamed = 5;

/** The orders stored from the interchanges among these, found by the events that name them. */
async function withOrders(db: Database, documents: DocumentSummary[]): Promise<DocumentSummary[]> {
  const interchanges = documents.filter((d) => d.orderId === null && d.direction === 'inbound').map((d) => d.id);
  if (interchanges.length === 0) return documents;
  const { rows } = (await db.raw(
    `SELECT d.id, o.order_id FROM unnest(?::text[]) AS d(id)
       CROSS JOIN LATERAL (SELECT DISTINCT order_id FROM order_events WHERE detail ->> 'documentId' = d.id ORDER BY order_id LIMIT ?) AS o`,
    [interchanges, ordersNamed + 1],
  )) as { rows: { id: string; order_id: string }[] };
  return documents.map((d) => {
    const orderIds = rows.filter((row) => row.id === d.id).map((row) => row.order_id);
    if (orderIds.length === 0) return d;
    return { ...d, orderIds: orderIds.slice(0, ordersNamed), ...(orderIds.length > ordersNamed ? { moreOrders: true } : {}) };
  });
}

/** Each document with what links it to others: our answers to it and the orders it holds. */
const linked = async (db: Database, documents: DocumentSummary[]) => withOrders(db, await answered(db, documents));

/** One document as the list shows it; undefined when it does not exist or belongs to another partner. */
export async function getDocumentSummary(db: Database, viewer: Viewer, id: string): Promise<DocumentSummary | undefined> {
  const query = db('documents').where({ id }).first(columns);
  if (viewer.partnerId !== null) query.andWhere({ partner_id: viewer.partnerId });
  const row = await query;
  return row === undefined ? undefined : (await linked(db, [toSummary(row)]))[0];
}

export interface DocumentFilter {
  direction?: 'inbound' | 'outbound';
  type?: string;
  /** Only this partner's (the admin's choice; a partner sees only its own anyway). */
  partnerId?: string;
  orderId?: string;
  sort?: 'oldest' | 'newest';
  after?: string;
  before?: string;
  limit: number;
}

/**
 * Oldest first by default, so that a partner polling its mailbox with `after` sees each document
 * once; newest first for people looking, paged with `before`. A cursor is a position only when it
 * is a document the viewer may see: another partner's id would tell whether it exists and when it
 * was stored (unknownPosition, as for an id that does not exist).
 */
export async function listDocuments(
  db: Database,
  viewer: Viewer,
  filter: DocumentFilter,
): Promise<DocumentSummary[] | { unknownPosition: 'after' | 'before' }> {
  const visible = () => (viewer.partnerId === null ? db('documents') : db('documents').where({ partner_id: viewer.partnerId }));
  for (const cursor of ['after', 'before'] as const) {
    const id = filter[cursor];
    if (id !== undefined && (await visible().where({ id }).first('id')) === undefined) return { unknownPosition: cursor };
  }
  const query = visible().select(columns);
  if (filter.partnerId !== undefined) query.where({ partner_id: filter.partnerId });
  if (filter.orderId !== undefined) query.where({ order_id: filter.orderId });
  if (filter.direction !== undefined) query.where({ direction: filter.direction });
  // An acknowledgment interchange can hold several kinds ("TA1+997"); each one finds it.
  if (filter.type !== undefined) query.whereRaw(`position(? in '+' || type || '+') > 0`, [`+${filter.type}+`]);
  if (filter.after !== undefined) query.whereRaw('(created_at, id) > (SELECT created_at, id FROM documents WHERE id = ?)', [filter.after]);
  if (filter.before !== undefined)
    query.whereRaw('(created_at, id) < (SELECT created_at, id FROM documents WHERE id = ?)', [filter.before]);
  const order = filter.sort === 'newest' ? 'desc' : 'asc';
  const rows = await query
    .orderBy([
      { column: 'created_at', order },
      { column: 'id', order },
    ])
    .limit(filter.limit);
  return linked(db, rows.map(toSummary));
}

export async function getDocumentBody(
  db: Database,
  viewer: Viewer,
  id: string,
): Promise<{ contentType: string; body: Buffer } | undefined> {
  const query = db('documents').where({ id }).first('content_type', 'body');
  if (viewer.partnerId !== null) query.andWhere({ partner_id: viewer.partnerId });
  const row = await query;
  return row === undefined ? undefined : { contentType: row.content_type, body: Buffer.from(row.body) };
}
