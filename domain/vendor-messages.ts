import {
  fulfillmentCancelType,
  fulfillmentRequestType,
  vendorCancelDestination,
  vendorDestination,
  type FulfillmentCancel,
  type FulfillmentRequest,
} from './fulfillment-request.ts';
import type { OutboxMessage } from './outbox-message.ts';

// The outbox messages that go to vendors (asyncapi.yaml), each built here only.

/** `fulfillment.request.v1`: a task for its vendor, not to be sent before `notBefore` when given. */
export const requestMessage = (request: FulfillmentRequest, notBefore?: Date): OutboxMessage => ({
  type: fulfillmentRequestType,
  correlationId: request.orderId,
  destination: vendorDestination(request.vendorId, request.taskType),
  payload: request,
  vendorId: request.vendorId,
  taskId: request.taskId,
  ...(notBefore === undefined ? {} : { notBefore }),
});

/**
 * `fulfillment.cancel.v1`: a task the vendor has is not wanted any more. It names no task column
 * (only the payload does), so it is never taken for the task's request when requests are settled.
 */
export const cancelMessage = (cancel: FulfillmentCancel): OutboxMessage => ({
  type: fulfillmentCancelType,
  correlationId: cancel.orderId,
  destination: vendorCancelDestination(cancel.vendorId),
  payload: cancel,
  vendorId: cancel.vendorId,
});
