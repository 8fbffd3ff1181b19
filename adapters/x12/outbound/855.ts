// The 855 purchase order acknowledgment (X12 4010): the seller's answer to every line of an order.
import { portionsProblem, type LineAck, type OrderAck } from '../../../domain/acknowledgment.ts';
import type { OrderLine } from '../../../domain/order.ts';
import { seg, type OutSegment } from '../serialize.ts';
import { date8, decimal, orderLines, partnerLine, productIds } from './segments.ts';

/**
 * BAK02, acknowledgment type (587). This 855 always carries line detail, so it uses the "with detail"
 * codes: AD when every portion of every line is accepted as ordered, RD when every one is rejected,
 * AC otherwise (a backorder, a change, or a rejected portion among accepted ones changes the order).
 * AT, RJ and AK are for acknowledgments without line detail.
 */
function acknowledgmentType(answers: readonly LineAck[]): string {
  if (answers.every((a) => a.status === 'accepted')) return 'AD';
  if (answers.every((a) => a.status === 'rejected')) return 'RD';
  return 'AC';
}

/**
 * ACK01, line item status (668), for one portion of a line. A changed portion is named by what
 * changed: IP its price, IQ its quantity (part of the line is refused, the rest taken), DR its date
 * alone; IC when more than one of those changed, or nothing says what.
 */
function statusCode(portion: LineAck, line: OrderLine, portions: readonly LineAck[]): string {
  switch (portion.status) {
    case 'accepted':
      return 'IA';
    case 'backordered':
      return 'IB';
    case 'rejected':
      return 'IR';
    case 'changed': {
      const changes = [
        priceChanged(portion, line) ? 'IP' : undefined,
        portions.some((other) => other.status === 'rejected') ? 'IQ' : undefined,
        portion.expectedDate !== undefined ? 'DR' : undefined,
      ].filter((code) => code !== undefined);
      return changes.length === 1 ? (changes[0] as string) : 'IC';
    }
  }
}

const priceChanged = (portion: LineAck, line: OrderLine): boolean =>
  portion.unitPrice !== undefined && decimal(portion.unitPrice) !== decimal(line.unitPrice);

/** MSG01 holds at most 264 characters. */
const messageLength = 264;

/**
 * The set body, BAK to CTT. Each top-level line is a PO1 loop with its ACKs, one per portion; a
 * bundle's components follow inside it as SLN loops, each with its own ACKs (4010 has an ACK loop in
 * the 855's SLN loop). Throws when the answers do not cover the order's lines: the caller checks
 * vendor answers before asking for an 855.
 */
export function build855(ack: OrderAck): OutSegment[] {
  const { order } = ack;
  const answerFor = answerLookup(ack);
  const topLevel = order.lines.filter((l) => l.parentLineNumber === undefined);
  return [
    // BAK01 purpose (00 original, 05 replace), BAK02 type, BAK03 PO number, BAK04 PO date, BAK09 acknowledgment date.
    seg(
      'BAK',
      ack.replacement === true ? '05' : '00',
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
 * PO101 line number, PO102 quantity ordered, PO103 unit, PO104 unit price, PO106.. product ID pairs:
 * the line as the buyer ordered it, which it matches on. What the seller changes is said after it, in
 * CTP (a new price) and the ACKs (the quantities and their fate).
 */
function baselineItem(line: OrderLine, portions: readonly LineAck[]): OutSegment[] {
  return [
    seg('PO1', line.lineNumber, decimal(line.quantity), line.uom, decimal(line.unitPrice), undefined, ...productIds(line)),
    ...newPrices(line, portions),
    ...lineAcks(portions, line),
  ];
}

/**
 * SLN01 sub-line number, SLN03 relationship, SLN04 quantity, SLN05 unit, SLN06 price, SLN09.. product
 * ID pairs, as ordered. The parent is the enclosing PO1; SLN02 stays empty because X12 defines it as
 * the sub-line level (as in a bill of materials), not as the parent's line number.
 */
function subline(line: OrderLine, portions: readonly LineAck[]): OutSegment[] {
  const own = partnerLine(line);
  return [
    seg(
      'SLN',
      own.number,
      undefined,
      own.relationship,
      decimal(line.quantity),
      line.uom,
      decimal(line.unitPrice),
      undefined,
      undefined,
      ...productIds(line),
    ),
    ...newPrices(line, portions),
    ...lineAcks(portions, line, own.number),
  ];
}

/**
 * CTP02 UCP (unit cost price), CTP03 the price the seller confirms, CTP04/CTP05 the quantity and unit
 * it holds for: one per portion whose price is not the ordered one.
 */
function newPrices(line: OrderLine, portions: readonly LineAck[]): OutSegment[] {
  return portions
    .filter((portion) => priceChanged(portion, line))
    .map((portion) => seg('CTP', undefined, 'UCP', decimal(portion.unitPrice), decimal(portion.quantity), portion.uom));
}

/**
 * One ACK per portion: ACK01 status, ACK02 quantity, ACK03 unit, ACK04 068 (current schedule ship)
 * with ACK05, so that the ACK02s of a line add up to its ordered quantity. The portions' notes follow
 * as N9 (L1, letters or notes, referring to the line by the number its PO1/SLN carries) + MSG.
 */
function lineAcks(portions: readonly LineAck[], line: OrderLine, number = line.lineNumber): OutSegment[] {
  const acks = portions.map((portion) => {
    const when = portion.expectedDate === undefined ? [] : ['068', date8(portion.expectedDate)];
    return seg('ACK', statusCode(portion, line, portions), decimal(portion.quantity), portion.uom, ...when);
  });
  const notes = portions.flatMap((portion) => (portion.note === undefined || portion.note === '' ? [] : [portion.note]));
  if (notes.length === 0) return acks;
  const messages = notes.flatMap((note) => {
    const parts: OutSegment[] = [];
    for (let i = 0; i < note.length; i += messageLength) parts.push(seg('MSG', note.slice(i, i + messageLength)));
    return parts;
  });
  return [...acks, seg('N9', 'L1', number), ...messages];
}

/** Each line's portions, in the order they came; a line with none, with portions that do not add up, or one the order lacks, throws. */
function answerLookup(ack: OrderAck): (line: OrderLine) => LineAck[] {
  const ref = ack.order.externalRef;
  const lineFor = orderLines(ack.order, 'acknowledgment');
  const byLine = new Map<string, LineAck[]>();
  for (const answer of ack.lines) {
    lineFor(answer.lineNumber); // throws for a line the order does not have
    byLine.set(answer.lineNumber, [...(byLine.get(answer.lineNumber) ?? []), answer]);
  }
  return (line) => {
    const portions = byLine.get(line.lineNumber);
    if (portions === undefined) throw new Error(`the acknowledgment does not answer line "${line.lineNumber}" of order ${ref}`);
    const problem = portionsProblem(line, portions);
    if (problem !== undefined) throw new Error(`the acknowledgment of order ${ref}: ${problem}`);
    return portions;
  };
}
