import type { PartnerAnswer } from '../domain/fulfillment-progress.ts';
import type { StoredOrder } from '../domain/order.ts';
import { answerDeadline } from '../domain/partner-deadlines.ts';
import { answerEvent, answerNotWritten } from '../domain/partner-events.ts';
import { numberAnswer, type NumberedAnswer } from './answer-numbers.ts';
import type { AnswerRenderer } from './fulfillment.ts';
import { storeDocument, type Deliverer, type StoredDocument } from './outbound.ts';
import type { StoreTransaction } from './ports.ts';

// The partner's answers, in the order they happen, as webhook events and as documents in its own
// format, stored in the caller's transaction. A document that cannot be written stops what depends
// on it: no ship notice goes out for an order whose acknowledgment was never written, since the
// partner would receive goods against quantities it was never told. Each one is noted in the order's
// history and raised as document.not-written.v1, for whoever watches the partner's integration.

/** A stored document to push to the partner's endpoint once the transaction has committed. */
export interface Push {
  stored: StoredDocument;
  contentType: string;
  endpointUrl: string;
  deliver: Deliverer;
}

const withheld = "withheld: the order's acknowledgment was not written, and no ship notice goes out without it";

export async function writeAnswers(
  tx: StoreTransaction,
  render: AnswerRenderer | undefined,
  order: StoredOrder,
  answers: readonly PartnerAnswer[],
  actor: string,
  at: Date,
): Promise<Push[]> {
  const pushes: Push[] = [];
  if (answers.length === 0) return pushes;
  const channels = await tx.partnerChannels(order.partnerId);
  // Every answer's numbers before any document takes control numbers: the SSCC counter is always
  // locked before a partner's control numbers, never after, so two replies never wait crosswise.
  const numbered: NumberedAnswer[] = [];
  for (const planned of answers) numbered.push(await numberAnswer(tx, order, planned, channels));
  // Known once an acknowledgment is written here; asked of the order's history only when a shipment comes first.
  let acknowledgmentMissing: boolean | undefined;
  for (const { answer, assigned, problems } of numbered) {
    if (assigned !== undefined && answer.kind === 'shipment')
      await tx.noteEvent(order.id, 'shipment.sscc-assigned', actor, { shipmentId: answer.shipment.shipmentId, cartons: assigned });
    await tx.enqueue(answerEvent(order, answer));
    // The acknowledgment is a milestone of the order's cycle time (GET /v1/reports/cycle-times):
    // noted once per acknowledgment, whether or not the partner's document could be written.
    if (answer.kind === 'acknowledgment')
      await tx.noteEvent(order.id, 'order.acknowledged', actor, {
        ackDate: answer.ack.ackDate,
        ...(answer.ack.replacement === true ? { replacement: true } : {}),
      });
    if (answer.kind === 'shipment') acknowledgmentMissing ??= await tx.acknowledgmentNotWritten(order.id);
    const rendered =
      answer.kind === 'shipment' && acknowledgmentMissing === true
        ? { problems: withheld }
        : problems === undefined
          ? render?.(order, answer, channels, at)
          : { problems };
    if (answer.kind === 'acknowledgment') acknowledgmentMissing = rendered !== undefined && 'problems' in rendered;
    if (rendered === undefined) continue;
    if ('problems' in rendered) {
      const detail = {
        answer: answer.kind,
        problems: rendered.problems,
        ...(answer.kind === 'shipment' ? { shipmentId: answer.shipment.shipmentId } : {}),
      };
      await tx.noteEvent(order.id, 'answer.not-written', actor, detail);
      await tx.enqueue(answerNotWritten(order, detail));
      continue;
    }
    const stored = await storeDocument(tx, rendered.document, rendered.endpointUrl);
    await tx.meetDeadlines([order.id], answerDeadline[answer.kind], at);
    if (rendered.endpointUrl !== undefined)
      pushes.push({ stored, contentType: rendered.document.contentType, endpointUrl: rendered.endpointUrl, deliver: rendered.deliver });
  }
  return pushes;
}
