import type { LineAck, LineAckStatus, OrderAck } from '../../../domain/acknowledgment.ts';
import type { StoredOrder } from '../../../domain/order.ts';
import type { Problem } from '../../../domain/problem.ts';
import { err, ok, type Result } from '../../../domain/result.ts';
import type { StoredLine } from './order-lines.ts';
import { dateTime, decimal, isCxmlLineNumber, units } from './values.ts';

// What a ConfirmationRequest says, checked before a byte is written. A line is answered in
// portions, each with its own status, so that 3 of 5 can be accepted and 2 backordered; the
// portions of a line add up to its ordered quantity, as the DTD demands of ConfirmationStatus
// quantities. Vendors' answers are outside input, so what is wrong with them comes back as
// problems (a Result), not as an exception.

/** One part of one line's quantity and what happens to it. */
export interface ConfirmationPortion {
  status: LineAckStatus;
  /** In the ordered line's unit of measure. */
  quantity: number;
  /** Only to refuse a portion stated in another unit than the line's: cXML wants one unit per item. */
  uom?: string;
  /** When this portion is expected to leave us (YYYY-MM-DD or date-time): shipmentDate. */
  shipDate?: string;
  /** When this portion is expected to arrive: deliveryDate. */
  deliveryDate?: string;
  /** "changed" only: the price we confirm instead of the ordered one. */
  unitPrice?: number;
  note?: string;
}

export interface LineConfirmation {
  /** The line number as the partner numbered it; bundle parents and components are answered each on their own. */
  lineNumber: string;
  portions: ConfirmationPortion[];
}

export interface ConfirmationInput {
  order: StoredOrder;
  lines: LineConfirmation[];
  /** Why, for a rejection (a reject confirmation carries no items, only Comments); otherwise a header comment. */
  comment?: string;
  /** Our own id for this confirmation (ConfirmationHeader@confirmID). */
  confirmId?: string;
}

export type ConfirmationType = 'accept' | 'reject' | 'detail';

export interface ConfirmationProblem extends Problem {
  code:
    | 'not-a-cxml-order'
    | 'nothing-to-confirm'
    | 'unknown-line'
    | 'line-answered-twice'
    | 'line-number-not-cxml'
    | 'no-portions'
    | 'invalid-quantity'
    | 'unit-mismatch'
    | 'invalid-date'
    | 'invalid-price'
    | 'change-without-detail'
    | 'quantities-do-not-add-up';
}

export interface CheckedConfirmation {
  type: ConfirmationType;
  /** The OrderRequest's payloadID, which the confirmation refers to. */
  orderPayloadId: string;
  /** In the order's line order, whatever order the answers came in. */
  items: { line: StoredLine; portions: ConfirmationPortion[] }[];
}

/**
 * The confirmation type follows from the answers: every line of the order accepted in full →
 * "accept"; every line rejected in full → "reject"; anything else (a backorder, a change, a part
 * rejection, or only some lines answered) → "detail", which confirms the lines it lists and leaves
 * the others as they are.
 */
export function confirmationType(order: StoredOrder, lines: readonly LineConfirmation[]): ConfirmationType {
  const answered = new Set(lines.map((l) => l.lineNumber));
  const everyLine = order.lines.every((l) => answered.has(l.lineNumber));
  const statuses = lines.flatMap((l) => l.portions.map((p) => p.status));
  if (everyLine && statuses.every((s) => s === 'accepted')) return 'accept';
  if (everyLine && statuses.every((s) => s === 'rejected')) return 'reject';
  return 'detail';
}

function checkPortion(portion: ConfirmationPortion, line: StoredLine, at: string): ConfirmationProblem[] {
  const problems: ConfirmationProblem[] = [];
  if (!Number.isFinite(portion.quantity) || portion.quantity <= 0)
    problems.push({
      pointer: `${at}/quantity`,
      code: 'invalid-quantity',
      detail: `a portion's quantity must be greater than zero, got ${portion.quantity}`,
    });
  if (portion.uom !== undefined && portion.uom !== line.uom)
    problems.push({
      pointer: `${at}/uom`,
      code: 'unit-mismatch',
      detail: `line "${line.lineNumber}" is ordered in ${line.uom}, the portion is stated in ${portion.uom}`,
    });
  for (const name of ['shipDate', 'deliveryDate'] as const) {
    const value = portion[name];
    if (value !== undefined && dateTime(value) === undefined)
      problems.push({
        pointer: `${at}/${name}`,
        code: 'invalid-date',
        detail: `"${value}" is neither a YYYY-MM-DD date nor an ISO date-time`,
      });
  }
  if (portion.unitPrice !== undefined && (!Number.isFinite(portion.unitPrice) || portion.unitPrice < 0))
    problems.push({
      pointer: `${at}/unitPrice`,
      code: 'invalid-price',
      detail: `unit price must be zero or more, got ${portion.unitPrice}`,
    });
  // The DTD: a "detail" status needs at least one of UnitPrice, Tax, Shipping, ItemIn or deliveryDate.
  if (portion.status === 'changed' && portion.unitPrice === undefined && portion.deliveryDate === undefined) {
    problems.push({
      pointer: at,
      code: 'change-without-detail',
      detail: `a changed portion of line "${line.lineNumber}" needs the new unit price or delivery date`,
    });
  }
  return problems;
}

function checkLine(answer: LineConfirmation, line: StoredLine, at: string): ConfirmationProblem[] {
  if (!isCxmlLineNumber(line.lineNumber))
    return [
      {
        pointer: `${at}/lineNumber`,
        code: 'line-number-not-cxml',
        detail: `line number "${line.lineNumber}" is not a cXML line number (a whole number from 1)`,
      },
    ];
  if (answer.portions.length === 0)
    return [{ pointer: `${at}/portions`, code: 'no-portions', detail: `line "${line.lineNumber}" is answered without any portion` }];
  const problems = answer.portions.flatMap((portion, j) => checkPortion(portion, line, `${at}/portions/${j}`));
  const sum = answer.portions.reduce((total, p) => total + units(p.quantity), 0);
  if (problems.length === 0 && sum !== units(line.quantity)) {
    const parts = answer.portions.map((p) => `${p.status} ${decimal(p.quantity)}`).join(', ');
    problems.push({
      pointer: `${at}/portions`,
      code: 'quantities-do-not-add-up',
      detail: `line "${line.lineNumber}" is ordered ${decimal(line.quantity)} ${line.uom}; its portions (${parts}) add up to ${decimal(sum / 10_000)}`,
    });
  }
  return problems;
}

export function checkConfirmation(input: ConfirmationInput): Result<CheckedConfirmation, ConfirmationProblem[]> {
  const { order } = input;
  const problems: ConfirmationProblem[] = [];
  const orderPayloadId = order.envelope?.payloadId;
  if (orderPayloadId === undefined) {
    problems.push({
      pointer: '/order/envelope/payloadId',
      code: 'not-a-cxml-order',
      detail: `order ${order.externalRef} did not come as a cXML OrderRequest; there is no payloadID to confirm`,
    });
  }
  if (input.lines.length === 0)
    problems.push({ pointer: '/lines', code: 'nothing-to-confirm', detail: 'a confirmation needs at least one answered line' });
  const lines = new Map(order.lines.map((l) => [l.lineNumber, l]));
  const answers = new Map<string, LineConfirmation>();
  input.lines.forEach((answer, i) => {
    const at = `/lines/${i}`;
    const line = lines.get(answer.lineNumber);
    if (line === undefined)
      return problems.push({
        pointer: `${at}/lineNumber`,
        code: 'unknown-line',
        detail: `order ${order.externalRef} has no line "${answer.lineNumber}"`,
      });
    if (answers.has(answer.lineNumber))
      return problems.push({
        pointer: `${at}/lineNumber`,
        code: 'line-answered-twice',
        detail: `line "${answer.lineNumber}" is answered twice; answer it once, in portions`,
      });
    answers.set(answer.lineNumber, answer);
    return problems.push(...checkLine(answer, line, at));
  });
  if (problems.length > 0 || orderPayloadId === undefined) return err(problems);
  const items = order.lines.flatMap((line) => {
    const answer = answers.get(line.lineNumber);
    return answer === undefined ? [] : [{ line, portions: answer.portions }];
  });
  return ok({ type: confirmationType(order, input.lines), orderPayloadId, items });
}

/**
 * The domain's acknowledgment as a confirmation: a LineAck is the answer about a portion of a line,
 * so the LineAcks of one line are its portions. LineAck.expectedDate is when the seller expects to
 * ship, so it becomes the portion's shipmentDate. cXML says "detail" only for what its status can
 * carry (a new price); a portion changed in its quantity (the rest of the line rejected beside it)
 * or its date is an "accept" of that quantity, with the date as its shipmentDate.
 */
export function confirmationFromAck(ack: OrderAck): ConfirmationInput {
  const ordered = new Map(ack.order.lines.map((line) => [line.lineNumber, line.unitPrice]));
  const byLine = new Map<string, ConfirmationPortion[]>();
  const portion = (a: LineAck): ConfirmationPortion => {
    const newPrice = a.unitPrice !== undefined && decimal(a.unitPrice) !== decimal(ordered.get(a.lineNumber) ?? Number.NaN);
    return {
      status: a.status === 'changed' && !newPrice ? 'accepted' : a.status,
      quantity: a.quantity,
      uom: a.uom,
      ...(a.expectedDate === undefined ? {} : { shipDate: a.expectedDate }),
      ...(newPrice ? { unitPrice: a.unitPrice } : {}),
      ...(a.note === undefined ? {} : { note: a.note }),
    };
  };
  for (const answer of ack.lines) byLine.set(answer.lineNumber, [...(byLine.get(answer.lineNumber) ?? []), portion(answer)]);
  return { order: ack.order, lines: [...byLine].map(([lineNumber, portions]) => ({ lineNumber, portions })) };
}
