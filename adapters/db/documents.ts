import { shownDeliveryError } from '../../domain/outbound-target.ts';
import type { Database } from './connect.ts';
import type { Viewer } from './order-queries.ts';

export interface DocumentSummary {
  id: string;
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
  createdAt: string;
}

const columns = [
  'id',
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

/** One document as the list shows it; undefined when it does not exist or belongs to another partner. */
export async function getDocumentSummary(db: Database, viewer: Viewer, id: string): Promise<DocumentSummary | undefined> {
  const query = db('documents').where({ id }).first(columns);
  if (viewer.partnerId !== null) query.andWhere({ partner_id: viewer.partnerId });
  const row = await query;
  return row === undefined ? undefined : toSummary(row);
}

export interface DocumentFilter {
  direction?: 'inbound' | 'outbound';
  type?: string;
  after?: string;
  limit: number;
}

/**
 * Oldest first, so that a partner polling its mailbox with `after` sees each document once. `after`
 * is a position only when it is a document the viewer may see: another partner's id would tell
 * whether it exists and when it was stored ('unknown-position', as for an id that does not exist).
 */
export async function listDocuments(db: Database, viewer: Viewer, filter: DocumentFilter): Promise<DocumentSummary[] | 'unknown-position'> {
  const visible = () => (viewer.partnerId === null ? db('documents') : db('documents').where({ partner_id: viewer.partnerId }));
  if (filter.after !== undefined && (await visible().where({ id: filter.after }).first('id')) === undefined) return 'unknown-position';
  const query = visible().select(columns);
  if (filter.direction !== undefined) query.where({ direction: filter.direction });
  // An acknowledgment interchange can hold several kinds ("TA1+997"); each one finds it.
  if (filter.type !== undefined) query.whereRaw(`position(? in '+' || type || '+') > 0`, [`+${filter.type}+`]);
  if (filter.after !== undefined) {
    const after = filter.after;
    query.whereRaw('(created_at, id) > (SELECT created_at, id FROM documents WHERE id = ?)', [after]);
  }
  const rows = await query.orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(filter.limit);
  return rows.map(toSummary);
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
