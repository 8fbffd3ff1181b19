import type { Knex } from 'knex';
import type { DeadlineDocument, PartnerDeadline } from '../../domain/partner-deadlines.ts';
import type { DeadlineRecord, DeadlineTransaction } from '../../pipeline/ports.ts';

// Partner deadlines as timers on orders (order_deadlines, 022). Each timer is warned once and
// missed once: the escalation step claims rows FOR UPDATE SKIP LOCKED and stamps them in the same
// statement, so any number of instances can run it and none acts on a row another holds.

const returned = 'id, order_id, partner_id, document, within, calendar, started_at, warn_at, due_at';

interface DeadlineRow {
  id: number;
  order_id: string;
  partner_id: string;
  document: DeadlineDocument;
  within: string;
  calendar: string | null;
  started_at: Date;
  warn_at: Date;
  due_at: Date;
}

const toRecord = (row: DeadlineRow): DeadlineRecord => ({
  id: row.id,
  orderId: row.order_id,
  partnerId: row.partner_id,
  document: row.document,
  within: row.within,
  calendar: row.calendar,
  startedAt: new Date(row.started_at),
  warnAt: new Date(row.warn_at),
  dueAt: new Date(row.due_at),
});

/** Stamps up to `limit` open timers (neither met nor missed) that `due` picks, oldest due first; the ones stamped. */
async function claim(
  trx: Knex.Transaction,
  stamp: 'warned_at' | 'missed_at',
  due: { sql: string; bindings: Date[] },
  now: Date,
  limit: number,
): Promise<DeadlineRecord[]> {
  const result = await trx.raw(
    `UPDATE order_deadlines SET ${stamp} = ?
     WHERE id IN (SELECT id FROM order_deadlines WHERE met_at IS NULL AND missed_at IS NULL AND ${due.sql}
                  ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING ${returned}`,
    [now, ...due.bindings, limit],
  );
  return (result.rows as DeadlineRow[]).map(toRecord).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}

export const deadlineStore = (trx: Knex.Transaction): DeadlineTransaction => ({
  async partnerDeadlines(partnerIds) {
    const found = new Map<string, PartnerDeadline[]>();
    if (partnerIds.length === 0) return found;
    const rows = (await trx('partners')
      .whereIn('id', [...new Set(partnerIds)])
      .whereRaw(`jsonb_array_length(deadlines) > 0`)
      .select('id', 'deadlines')) as { id: string; deadlines: PartnerDeadline[] }[];
    for (const row of rows) found.set(row.id, row.deadlines);
    return found;
  },

  async startDeadlines(timers) {
    if (timers.length === 0) return;
    const rows = timers.map((t) => ({
      order_id: t.orderId,
      partner_id: t.partnerId,
      document: t.document,
      within: t.within,
      calendar: t.calendar ?? null,
      started_at: t.startedAt.toISOString(),
      warn_at: t.warnAt.toISOString(),
      due_at: t.dueAt.toISOString(),
    }));
    // One JSON parameter however many orders an interchange brings.
    await trx.raw(
      `INSERT INTO order_deadlines (order_id, partner_id, document, within, calendar, started_at, warn_at, due_at)
       SELECT order_id, partner_id, document, within, calendar, started_at, warn_at, due_at
       FROM jsonb_to_recordset(?::jsonb) AS r(order_id text, partner_id text, document text, within text, calendar text,
                                              started_at timestamptz, warn_at timestamptz, due_at timestamptz)
       ON CONFLICT (order_id, document) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  },

  // Written after its due time but before the step saw it (or the vendor told of the shipment late):
  // missed all the same, at its due time; no deadline.missed, since the document is out.
  async meetDeadlines(orderIds, document, at) {
    if (orderIds.length === 0) return;
    await trx.raw(
      `UPDATE order_deadlines d SET met_at = w.at, missed_at = COALESCE(d.missed_at, CASE WHEN w.at > d.due_at THEN d.due_at END)
       FROM (SELECT ${at === undefined ? 'clock_timestamp()' : '?::timestamptz'} AS at) w
       WHERE d.order_id IN (SELECT jsonb_array_elements_text(?::jsonb)) AND d.document = ? AND d.met_at IS NULL`,
      [...(at === undefined ? [] : [at]), JSON.stringify(orderIds), document],
    );
  },

  async dropUnowedDeadlines(now, limit) {
    const result = await trx.raw(
      `DELETE FROM order_deadlines WHERE id IN (
         SELECT d.id FROM order_deadlines d JOIN orders o ON o.id = d.order_id
         WHERE d.met_at IS NULL AND d.missed_at IS NULL AND d.warn_at <= ?
           AND (o.status = 'cancelled' OR (d.document = '810' AND o.status IN ('rejected', 'failed')))
         ORDER BY d.warn_at, d.id LIMIT ? FOR UPDATE OF d SKIP LOCKED)
       RETURNING id`,
      [now, limit],
    );
    return (result.rows as unknown[]).length;
  },

  // A timer already due is not warned: it is missed, and a jeopardy then would come too late to act on.
  warnDeadlines: (now, limit) =>
    claim(trx, 'warned_at', { sql: 'warned_at IS NULL AND warn_at <= ? AND due_at > ?', bindings: [now, now] }, now, limit),
  missDeadlines: (now, limit) => claim(trx, 'missed_at', { sql: 'due_at <= ?', bindings: [now] }, now, limit),
});
