import { characters, identifierLimits, longerThan, type OrderDraft } from '../../domain/order.ts';
import type { Problem } from '../../domain/problem.ts';
import type { Result } from '../../domain/result.ts';
import { findWebhookSource, type Database, type WebhookSource } from '../db/index.ts';
import { mapWebhookOrder, webhookMaps, type WebhookMap } from './map.ts';
import type { SecretBox } from './secret-box.ts';
import { header, verifySignature, type Headers } from './signatures.ts';
import { eventIdOf, sourceKinds, topicOf, type SourceKind } from './sources.ts';

// An inbound webhook up to the order pipeline: which source sent it (found before anything is
// checked, since the source holds the secret), whether it signed it, whether it is recent enough,
// what marks a repeat, and which map turns it into an order.

export type WebhookReceipt =
  | { kind: 'unauthenticated'; detail: string }
  | { kind: 'outside-window'; detail: string }
  | { kind: 'no-event-id'; headers: string[] }
  /** The event id is the dedupe key: no longer than the limit of every partner-chosen key. */
  | { kind: 'event-id-too-long'; header: string; length: number; limit: number }
  | { kind: 'ignored'; source: WebhookSource; topic: string | undefined }
  | {
      kind: 'order';
      source: WebhookSource;
      sourceKind: SourceKind;
      eventId: string;
      topic: string;
      translate: (body: unknown) => Result<OrderDraft, Problem[]>;
    };

export interface InboundWebhook {
  /** The path segment after /v1/webhooks/: a kind whose sender names itself in a header, or a source's own id. */
  source: string;
  headers: Headers;
  body: Buffer;
  payload: unknown;
  now: Date;
}

export const sourceSecretContext = (sourceId: string): string => `webhook-source:${sourceId}`;

async function findSource(
  db: Database,
  request: InboundWebhook,
): Promise<(WebhookSource & { sealedSecret: string }) | { missing: string }> {
  const named = sourceKinds.get(request.source);
  if (named?.accountHeader !== undefined) {
    const account = header(request.headers, named.accountHeader);
    if (account === undefined || account === '') return { missing: `the ${named.accountHeader} header is missing` };
    return (
      (await findWebhookSource(db, { kind: request.source, account })) ?? {
        missing: `no ${request.source} source is registered for ${account.slice(0, 200)}`,
      }
    );
  }
  return (
    (await findWebhookSource(db, { id: request.source })) ?? { missing: `no webhook source has the id ${request.source.slice(0, 100)}` }
  );
}

export async function receiveWebhook(deps: { db: Database; secrets: SecretBox }, request: InboundWebhook): Promise<WebhookReceipt> {
  const found = await findSource(deps.db, request);
  if ('missing' in found) return { kind: 'unauthenticated', detail: found.missing };
  const { sealedSecret, ...source } = found;
  const sourceKind = sourceKinds.get(source.kind);
  const map = webhookMaps.get(source.map);
  if (sourceKind === undefined || map === undefined)
    throw new Error(`webhook source ${source.id} names kind "${source.kind}" and map "${source.map}", which mappings/webhooks/ must hold`);

  const secret = deps.secrets.open(sealedSecret, sourceSecretContext(source.id));
  const verdict = verifySignature(sourceKind.scheme, { headers: request.headers, body: request.body, secret, now: request.now });
  if (!verdict.ok)
    return verdict.reason === 'outside-window'
      ? { kind: 'outside-window', detail: verdict.detail }
      : { kind: 'unauthenticated', detail: verdict.detail };

  const eventId = eventIdOf(sourceKind, request.headers);
  if (eventId === undefined) return { kind: 'no-event-id', headers: sourceKind.eventIdHeaders };
  if (longerThan(eventId.value, identifierLimits.dedupeKey))
    return { kind: 'event-id-too-long', header: eventId.header, length: characters(eventId.value), limit: identifierLimits.dedupeKey };
  const topic = topicOf(sourceKind, request.headers, request.payload);
  if (topic === undefined || !map.topics.includes(topic)) return { kind: 'ignored', source, topic };
  return {
    kind: 'order',
    source,
    sourceKind,
    eventId: eventId.value,
    topic,
    translate: (body) => withEnvelope(mapWebhookOrder(map, body, sourceKind.order), source, topic, eventId),
  };
}

/** The envelope ids of the webhook itself beside the map's own, as every channel keeps them. */
function withEnvelope(
  result: Result<OrderDraft, Problem[]>,
  source: WebhookSource,
  topic: string,
  eventId: { header: string; value: string },
): Result<OrderDraft, Problem[]> {
  if (!result.ok) return result;
  const envelope = {
    ...result.value.envelope,
    source: source.kind,
    sourceId: source.id,
    ...(source.account === undefined ? {} : { account: source.account }),
    topic,
    [eventId.header]: eventId.value,
  };
  return { ok: true, value: { ...result.value, envelope } };
}

export type { WebhookMap };
