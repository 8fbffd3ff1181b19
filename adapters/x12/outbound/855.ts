// The 855 purchase order acknowledgment (X12 4010): the seller's answer to every line of an order.
import type { LineAck, LineAckStatus, OrderAck } from '../../../domain/acknowledgment.ts';
import type { OrderLine } from '../../../domain/order.ts';
import { seg, type OutSegment } from '../serialize.ts';
import { date8, decimal, orderLines, partnerLine, productIds } from './segments.ts';

/**
 * BAK02, acknowledgment type (587). This 855 always carries line detail, so it uses the "with detail"
 * codes: AD when every line is accepted as ordered, RD when every line is rejected, AC otherwise (a
 * backorder, a change, or a rejected line among accepted ones changes the order). AT, RJ and AK are
 * for acknowledgments without line detail.
 */
function acknowledgmentType(answers: readonly LineAck[]): string {
  if (answers.every((a) => a.status === 'accepted')) return 'AD';
  if (answers.every((a) => a.status === 'rejected')) return 'RD';
  return 'AC';
}

/** ACK01, line item status (668). A LineAck does not say what changed, so a change is IC, not IQ/IP/DR. */
const lineStatusCodes: Readonly<Record<LineAckStatus, string>> = {
  accepted: 'IA',
  rejected: 'IR',
  backordered: 'IB',
  changed: 'IC',
};

/** MSG01 holds at most 264 characters. */
const messageLength = 264;

/**
 * The set body, BAK to CTT. Each top-level line is a PO1 loop with its ACK; a bundle's components
 * follow inside it as SLN loops, each with its own ACK (4010 has an ACK loop in the 855's SLN loop).
 * Throws when the answers do not cover the order's lines exactly once: the caller checks vendor
 * answers before asking for an 855.
 */
export function build855(ack: OrderAck): OutSegment[] {
  const { order } = ack;
  const answerFor = answerLookup(ack);
  const topLevel = order.lines.filter((l) => l.parentLineNumber === undefined);
  return [
    // BAK01 purpose (00 original), BAK02 type, BAK03 PO number, BAK04 PO date, BAK09 acknowledgment date.
    seg(
      'BAK',
      '00',
      acknowledgmentType(ack.lines),
      order.externalRef,
      date8(order.orderDate),
      undefined,
      undefined,
      undefined,
      undefined,
      date8(ack.ackDate),
    ),
    ...topLevel.flatMap((line) => [
      ...baselineItem(line, answerFor(line)),
      ...order.lines.filter((c) => c.parentLineNumber === line.lineNumber).flatMap((c) => subline(c, answerFor(c))),
    ]),
    // CTT01 number of line items: the PO1 segments.
    seg('CTT', topLevel.length),
  ];
}

/**
 * PO101 line number, PO102 quantity ordered, PO103 unit, PO104 unit price, PO106.. product ID pairs.
 * The quantity is the ordered one, which the buyer matches on; the price is the one the seller
 * confirms, since the ACK segment has no place for it.
 */
function baselineItem(line: OrderLine, answer: LineAck): OutSegment[] {
  return [
    seg(
      'PO1',
      line.lineNumber,
      decimal(line.quantity),
      line.uom,
      decimal(answer.unitPrice ?? line.unitPrice),
      undefined,
      ...productIds(line),
    ),
    ...lineAck(answer, line.lineNumber),
  ];
}

/**
 * SLN01 sub-line number, SLN03 relationship, SLN04 quantity, SLN05 unit, SLN06 price, SLN09.. product
 * ID pairs. The parent is the enclosing PO1; SLN02 stays empty because X12 defines it as the
 * sub-line level (as in a bill of materials), not as the parent's line number.
 */
function subline(line: OrderLine, answer: LineAck): OutSegment[] {
  const own = partnerLine(line);
  return [
    seg(
      'SLN',
      own.number,
      undefined,
      own.relationship,
      decimal(line.quantity),
      line.uom,
      decimal(answer.unitPrice ?? line.unitPrice),
      undefined,
      undefined,
      ...productIds(line),
    ),
    ...lineAck(answer, own.number),
  ];
}

/**
 * ACK01 status, ACK02 quantity, ACK03 unit, ACK04 068 (current schedule ship) with ACK05. A note
 * follows as N9 (L1, letters or notes, referring to the line by the number its PO1/SLN carries) + MSG.
 */
function lineAck(answer: LineAck, number: string): OutSegment[] {
  const when = answer.expectedDate === undefined ? [] : ['068', date8(answer.expectedDate)];
  const out = [seg('ACK', lineStatusCodes[answer.status], decimal(answer.quantity), answer.uom, ...when)];
  if (answer.note !== undefined && answer.note !== '') {
    out.push(seg('N9', 'L1', number));
    for (let i = 0; i < answer.note.length; i += messageLength) out.push(seg('MSG', answer.note.slice(i, i + messageLength)));
  }
  return out;
}

function answerLookup(ack: OrderAck): (line: OrderLine) => LineAck {
  const ref = ack.order.externalRef;
  const lineFor = orderLines(ack.order, 'acknowledgment');
  const byLine = new Map<string, LineAck>();
  for (const answer of ack.lines) {
    lineFor(answer.lineNumber); // throws for a line the order does not have
    if (byLine.has(answer.lineNumber)) throw new Error(`the acknowledgment answers line "${answer.lineNumber}" of order ${ref} twice`);
    byLine.set(answer.lineNumber, answer);
  }
  return (line) => {
    const answer = byLine.get(line.lineNumber);
    if (answer === undefined) throw new Error(`the acknowledgment does not answer line "${line.lineNumber}" of order ${ref}`);
    return answer;
  };
}
