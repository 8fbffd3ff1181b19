import type { TimelineSources } from '../../domain/timeline.ts';
import type { Database } from './connect.ts';
import type { Viewer } from './order-queries.ts';

// What the order's timeline is made of, read by order id (each query indexed by it); bodies are never read.

const iso = (value: unknown): string => new Date(value as string).toISOString();
const isoOrNothing = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : iso(value));

const documentColumns = [
  'id',
  'direction',
  'channel',
  'type',
  'control',
  'delivery_state',
  'delivery_attempts',
  'ack_state',
  'ack_due_at',
  'acked_at',
  'created_at',
];

type DocumentRow = Record<string, unknown>;

function toDocument(row: DocumentRow): TimelineSources['documents'][number] {
  const dueAt = isoOrNothing(row.ack_due_at);
  const ackedAt = isoOrNothing(row.acked_at);
  const acknowledged = row.ack_state !== null || dueAt !== undefined;
  return {
    id: row.id as string,
    direction: row.direction as 'inbound' | 'outbound',
    channel: row.channel as string,
    type: row.type as string,
    control: row.control as Record<string, unknown>,
    ...(row.delivery_state === null ? {} : { delivery: { state: row.delivery_state as string, attempts: Number(row.delivery_attempts) } }),
    ...(acknowledged
      ? {
          acknowledgment: {
            state: row.ack_state as string | null,
            ...(dueAt === undefined ? {} : { dueAt }),
            ...(ackedAt === undefined ? {} : { at: ackedAt }),
          },
        }
      : {}),
    createdAt: iso(row.created_at),
  };
}

/** The order's own documents, the interchanges its events name (an X12 envelope holds many orders), and their answers. */
async function documentsOf(db: Database, orderId: string, named: string[]): Promise<TimelineSources['documents']> {
  const rows: DocumentRow[] = await db('documents')
    .select(documentColumns)
    .where({ order_id: orderId })
    .union((u) => {
      u.select(documentColumns).from('documents').whereIn('id', named);
    })
    .union((u) => {
      u.select(documentColumns).from('documents').whereRaw(`control ->> 'inboundDocumentId' = ANY (?::text[])`, [named]);
    });
  return rows.map(toDocument);
}

/** The order's timeline's sources; undefined when the order does not exist or the viewer may not see it. */
export async function timelineSources(db: Database, orderId: string, viewer: Viewer): Promise<TimelineSources | undefined> {
  const order = db('orders').where({ id: orderId });
  if (viewer.partnerId !== null) order.andWhere({ partner_id: viewer.partnerId });
  if ((await order.first('id')) === undefined) return undefined;

  const [eventRows, taskRows, approvalRows, decisionRows, notificationRows] = await Promise.all([
    db('order_events').where({ order_id: orderId }).orderBy('id'),
    db('tasks').where({ order_id: orderId }).select('id', 'task_key', 'type', 'vendor_id', 'person', 'status', 'due_at', 'updated_at'),
    db('approvals').where({ order_id: orderId }).select('id', 'status', 'current_level', 'levels', 'reasons', 'created_at'),
    db('approval_decisions as d')
      .join('approvals as a', 'a.id', 'd.approval_id')
      .leftJoin('people as p', 'p.id', 'd.person_id')
      .where('a.order_id', orderId)
      .select('d.*', 'p.name as person_name'),
    db('notifications')
      .where({ order_id: orderId })
      .select('id', 'approval_id', 'channel', 'to', 'state', 'attempts', 'created_at', 'sent_at'),
  ]);
  const events = eventRows.map((r) => ({
    id: Number(r.id),
    from: r.from_status,
    to: r.to_status,
    cause: r.cause,
    actor: r.actor,
    detail: r.detail,
    at: iso(r.at),
  }));
  const named = [...new Set(events.flatMap((e) => (typeof e.detail?.documentId === 'string' ? [e.detail.documentId] : [])))];
  return {
    events,
    documents: await documentsOf(db, orderId, named),
    tasks: taskRows.map((r) => ({
      id: r.id,
      key: r.task_key,
      type: r.type,
      vendorId: r.vendor_id,
      person: r.person,
      status: r.status,
      dueAt: iso(r.due_at),
      updatedAt: iso(r.updated_at),
    })),
    approvals: approvalRows.map((r) => ({
      id: r.id,
      status: r.status,
      currentLevel: r.current_level,
      levels: r.levels,
      reasons: r.reasons,
      createdAt: iso(r.created_at),
      decisions: decisionRows
        .filter((d) => d.approval_id === r.id)
        .map((d) => ({
          id: Number(d.id),
          level: d.level,
          personName: d.person_name,
          provider: d.provider,
          decision: d.decision,
          comment: d.comment,
          via: d.via,
          at: iso(d.created_at),
        })),
    })),
    notifications: notificationRows.map((r) => ({
      id: r.id,
      approvalId: r.approval_id,
      channel: r.channel,
      to: r.to,
      state: r.state,
      attempts: r.attempts,
      createdAt: iso(r.created_at),
      sentAt: r.sent_at === null ? null : iso(r.sent_at),
    })),
  };
}
