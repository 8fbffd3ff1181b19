export { defaultRetryPolicy, deliver, type Delivery, type DeliveryResult, type RetryPolicy } from './deliver.ts';
export {
  createOutbound,
  OutboundFailure,
  systemResolve,
  type Outbound,
  type OutboundAnswer,
  type OutboundClient,
  type OutboundRequest,
  type Resolve,
} from './outbound.ts';
