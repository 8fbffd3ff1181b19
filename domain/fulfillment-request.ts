/**
 * The body of a `fulfillment.request.v1` message (asyncapi.yaml): everything a vendor needs to do
 * one task without calling back. Built in one place, so a task sent at decomposition and one sent
 * when it is unblocked later look the same.
 */
export interface FulfillmentRequest {
  taskId: string;
  orderId: string;
  vendorId: string;
  taskType: string;
  taskName: string;
  lineNumber: string;
  bundleLineNumber: string | null;
  sku: string | null;
  quantity: number | null;
  dueAt: string;
}

export const fulfillmentRequestType = 'fulfillment.request.v1';

/** One request queue per vendor. */
export const vendorDestination = (vendorId: string): string => `vendor.${vendorId}`;

/** A task key is `${lineNumber}:${taskName}`; line numbers may hold ':' themselves, names may not. */
export const taskNameOf = (key: string): string => key.slice(key.lastIndexOf(':') + 1);
