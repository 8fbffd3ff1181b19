/** A message written to the outbox in the transaction of the change it announces, sent after commit. */
export interface OutboxMessage {
  type: string;
  correlationId: string;
  destination: string;
  payload: unknown;
  headers?: Record<string, string>;
  /** Set on a vendor's fulfillment request: dispatchers and the vendor's mailbox read by it. */
  vendorId?: string;
  /** Set on a fulfillment request: the task it is about. */
  taskId?: string;
  /** Not to be sent before this (a retry the vendor asked for). */
  notBefore?: Date;
}
