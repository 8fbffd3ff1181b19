import type { ConsumeMessage } from 'amqplib';

// What a consumer's handler sees of one message: everything the broker delivered (properties,
// headers, routing), read once from amqplib's loosely typed message.

/** The AMQP basic properties not already lifted onto Delivery itself. */
export interface DeliveryProperties {
  contentType?: string;
  contentEncoding?: string;
  deliveryMode?: number;
  priority?: number;
  replyTo?: string;
  expiration?: string;
  userId?: string;
  clusterId?: string;
}

export interface Delivery {
  /** The queue it was consumed from. */
  queue: string;
  routingKey: string;
  exchange: string;
  messageId?: string;
  correlationId?: string;
  type?: string;
  appId?: string;
  /** Seconds since the epoch, as asyncapi.yaml has it. */
  timestamp?: number;
  headers: Record<string, unknown>;
  body: Buffer;
  /** The broker's flag: delivered before and not acked (or the flag after a reconnect). */
  redelivered: boolean;
  /** Earlier deliveries the broker counted (quorum queues' x-delivery-count): 0 the first time. */
  deliveryCount: number;
  properties: DeliveryProperties;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function toDelivery(queue: string, message: ConsumeMessage): Delivery {
  const p = message.properties;
  const headers: Record<string, unknown> = { ...(p.headers ?? {}) };
  return {
    queue,
    routingKey: message.fields.routingKey,
    exchange: message.fields.exchange,
    messageId: text(p.messageId),
    correlationId: text(p.correlationId),
    type: text(p.type),
    appId: text(p.appId),
    timestamp: count(p.timestamp),
    headers,
    body: message.content,
    redelivered: message.fields.redelivered,
    deliveryCount: count(headers['x-delivery-count']) ?? 0,
    properties: {
      contentType: text(p.contentType),
      contentEncoding: text(p.contentEncoding),
      deliveryMode: count(p.deliveryMode),
      priority: count(p.priority),
      replyTo: text(p.replyTo),
      expiration: text(p.expiration),
      userId: text(p.userId),
      clusterId: text(p.clusterId),
    },
  };
}
