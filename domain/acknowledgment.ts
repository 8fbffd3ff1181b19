import type { LineStatus } from './line-status.ts';
import type { OrderLine, StoredOrder } from './order.ts';

/** The answers a seller can give to one ordered line; the acknowledged states of the line state machine. */
export type LineAckStatus = Extract<LineStatus, 'accepted' | 'rejected' | 'backordered' | 'changed'>;

/**
 * The seller's answer about one portion of an ordered line. A line is answered in portions, each
 * with its own status (4 accepted + 2 backordered; 8 changed + 2 rejected), and the portions of a
 * line add up to its ordered quantity: that is what the partner's 855 ACKs and cXML
 * ConfirmationStatus quantities must do. Bundle parents and components are answered each on their own.
 */
export interface LineAck {
  /** The line number as the partner numbered it. */
  lineNumber: string;
  status: LineAckStatus;
  /** The part of the ordered quantity this portion is about, in the line's unit. */
  quantity: number;
  uom: string;
  /** The price the seller confirms, when it differs from the ordered one. */
  unitPrice?: number;
  /** When the seller expects to ship the portion (YYYY-MM-DD). */
  expectedDate?: string;
  note?: string;
}

export interface OrderAck {
  order: StoredOrder;
  /** Every line's portions, in the order's line order. */
  lines: LineAck[];
  /** YYYY-MM-DD. */
  ackDate: string;
  /** This acknowledgment replaces one the partner already has (an order that failed after it was acknowledged). */
  replacement?: true;
}

/** Quantities are kept to four decimals: compared as whole ten-thousandths. */
const tenThousandths = (quantity: number): number => Math.round(quantity * 10_000);

const sum = (portions: readonly LineAck[]): number => portions.reduce((total, portion) => total + tenThousandths(portion.quantity), 0);

/**
 * Why these portions cannot be the answer to the line, or undefined when they can: each portion is
 * in the line's unit, greater than zero, and together they make the ordered quantity.
 */
export function portionsProblem(
  line: Pick<OrderLine, 'lineNumber' | 'quantity' | 'uom'>,
  portions: readonly LineAck[],
): string | undefined {
  if (portions.length === 0) return `line ${line.lineNumber} is answered without any portion`;
  const otherUnit = portions.find((portion) => portion.uom !== line.uom);
  if (otherUnit !== undefined) return `line ${line.lineNumber} is ordered in ${line.uom}; a portion is stated in ${otherUnit.uom}`;
  // A line ordered as 0 (refused for it) is answered with one portion of 0.
  const empty = line.quantity > 0 ? portions.find((portion) => !(portion.quantity > 0)) : undefined;
  if (empty !== undefined) return `line ${line.lineNumber}: a portion's quantity must be greater than zero, got ${empty.quantity}`;
  if (sum(portions) === tenThousandths(line.quantity)) return undefined;
  const parts = portions.map((portion) => `${portion.status} ${portion.quantity}`).join(' + ');
  return `line ${line.lineNumber} is ordered ${line.quantity} ${line.uom}; its portions (${parts}) add up to ${sum(portions) / 10_000}`;
}

/**
 * The line's status from its portions: rejected or accepted when every portion is; changed when a
 * portion is, or when only part of the line is rejected (what ships is less than what was ordered);
 * backordered when part of it waits.
 */
export function lineStatusOf(portions: readonly LineAck[]): LineAckStatus {
  const statuses = new Set(portions.map((portion) => portion.status));
  if (statuses.size === 1) return [...statuses][0] as LineAckStatus;
  if (statuses.has('changed') || statuses.has('rejected')) return 'changed';
  return 'backordered';
}

/** What the line is still to ship: every portion not rejected. */
export const quantityToShip = (portions: readonly LineAck[]): number =>
  sum(portions.filter((portion) => portion.status !== 'rejected')) / 10_000;

/** The whole line, answered with one status at its ordered quantity (a line no vendor answers, a refused line). */
export const wholeLine = (line: Pick<OrderLine, 'lineNumber' | 'quantity' | 'uom'>, status: LineAckStatus, note?: string): LineAck => ({
  lineNumber: line.lineNumber,
  status,
  quantity: line.quantity,
  uom: line.uom,
  ...(note === undefined ? {} : { note }),
});
