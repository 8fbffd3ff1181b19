import { parseCxml } from '../parse.ts';
import { attr, child } from '../tree.ts';

// Facts of a document we wrote, read back from its text before it is stored: its payloadID (the
// control id it is stored and found under) and the request it carries.

export function requestFacts(xml: string): { payloadId: string; request: string } | undefined {
  const parsed = parseCxml(new TextEncoder().encode(xml), Number.MAX_SAFE_INTEGER);
  if (!parsed.ok) return undefined;
  const cxml = child(parsed.tree, 'cXML');
  const payloadId = attr(cxml, 'payloadID');
  const request = child(cxml, 'Request');
  const name =
    request === undefined || typeof request === 'string'
      ? undefined
      : Object.keys(request).find((key) => !key.startsWith('@') && key !== '#text');
  return payloadId === undefined || name === undefined ? undefined : { payloadId, request: name };
}
