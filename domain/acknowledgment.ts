import type { LineStatus } from './line-status.ts';
import type { StoredOrder } from './order.ts';

/** The answers a seller can give to one ordered line; the acknowledged states of the line state machine. */
export type LineAckStatus = Extract<LineStatus, 'accepted' | 'rejected' | 'backordered' | 'changed'>;

/** The seller's answer to one line of an order: bundle parents and components are answered each on their own. */
export interface LineAck {
  /** The line number as the partner numbered it. */
  lineNumber: string;
  status: LineAckStatus;
  /** The quantity the answer is about: accepted, rejected or backordered. */
  quantity: number;
  uom: string;
  /** The price the seller confirms, when it differs from the ordered one. */
  unitPrice?: number;
  /** When the seller expects to ship the line (YYYY-MM-DD). */
  expectedDate?: string;
  note?: string;
}

export interface OrderAck {
  order: StoredOrder;
  lines: LineAck[];
  /** YYYY-MM-DD. */
  ackDate: string;
}
