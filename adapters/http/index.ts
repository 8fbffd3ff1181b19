export { defaultRetryPolicy, deliver, type Delivery, type DeliveryResult, type RetryPolicy } from './deliver.ts';
