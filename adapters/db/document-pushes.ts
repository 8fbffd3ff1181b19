import type { Database } from './connect.ts';

// Outbound documents whose push after commit never happened (the process died between the two):
// leased to one worker at a time, for as long as a push may take, then pushed again.

export interface StuckPush {
  documentId: string;
  partnerId: string;
  channel: string;
  contentType: string;
  body: string;
  control: Record<string, string>;
}

const leaseMinutes = 2;

export async function leaseStuckPushes(db: Database, limit: number): Promise<StuckPush[]> {
  const result = await db.raw(
    `UPDATE documents SET push_after = clock_timestamp() + make_interval(mins => ?)
     WHERE id IN (SELECT id FROM documents WHERE delivery_state = 'pending' AND push_after <= clock_timestamp() ORDER BY push_after LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id, partner_id, channel, content_type, body, control`,
    [leaseMinutes, limit],
  );
  return (
    result.rows as {
      id: string;
      partner_id: string;
      channel: string;
      content_type: string;
      body: Buffer | Uint8Array;
      control: Record<string, string>;
    }[]
  ).map((row) => ({
    documentId: row.id,
    partnerId: row.partner_id,
    channel: row.channel,
    contentType: row.content_type,
    body: Buffer.from(row.body).toString('utf8'),
    control: row.control,
  }));
}
