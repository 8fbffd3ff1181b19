import { readFileSync } from 'node:fs';
import { packageFile } from '../../package-files.ts';
import { header, type Headers, type SchemeSpec } from './signatures.ts';
import { readPointer } from './reader.ts';

// The kinds of webhook source (mappings/webhooks/sources.json): how each signs, how its sender and
// a repeat are recognised, where the topic and the order are.

export interface SourceKind {
  scheme: SchemeSpec;
  /** Sources posting to /v1/webhooks/<kind> name their account in this header (Shopify: the shop domain). */
  accountHeader?: string;
  eventIdHeaders: string[];
  topic: { header: string } | { pointer: string };
  /** JSON pointer to the order in the body. */
  order: string;
  defaultMap: string;
  /** given: the platform makes the secret; generated: we make one unless given. */
  secret: 'given' | 'generated';
}

const { $comment: _comment, ...kinds } = JSON.parse(readFileSync(packageFile('mappings/webhooks/sources.json'), 'utf8')) as Record<
  string,
  SourceKind
>;

export const sourceKinds: ReadonlyMap<string, SourceKind> = new Map(Object.entries(kinds));

/** The id that marks a repeat: the first of the kind's event id headers present. */
export function eventIdOf(kind: SourceKind, headers: Headers): { header: string; value: string } | undefined {
  for (const name of kind.eventIdHeaders) {
    const value = header(headers, name);
    if (value !== undefined && value !== '') return { header: name, value };
  }
  return undefined;
}

export function topicOf(kind: SourceKind, headers: Headers, body: unknown): string | undefined {
  const topic = 'header' in kind.topic ? header(headers, kind.topic.header) : readPointer(body, kind.topic.pointer);
  return typeof topic === 'string' && topic !== '' ? topic : undefined;
}
