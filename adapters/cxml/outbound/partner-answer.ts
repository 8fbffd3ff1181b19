import { parseCxml } from '../parse.ts';
import { attr, path, text } from '../tree.ts';

// What a partner's cXML Response to our request says, decided once for every sender. The HTTP
// status is not enough: many cXML servers answer HTTP 200 and put the outcome in Response/Status.
//   2xx → accepted (200 OK, 201 Accepted for later processing, 204...).
//   5xx → retry, with the same back-off as an HTTP 5xx: cXML uses 500/550/551/560 for a server or
//         network hop that is down or busy, which may pass; the partner dedupes on our payloadID.
//   4xx, anything else, or no readable Status → refused at once: sending the same bytes again
//         gets the same answer; the document stays stored to be fixed and resent.

export interface CxmlStatus {
  code: number;
  text: string;
  detail?: string;
}

export type PartnerAnswer =
  { outcome: 'accepted'; status: CxmlStatus; summary: string } | { outcome: 'retry' | 'refused'; status?: CxmlStatus; summary: string };

/** Plenty for a Response; a larger answer is not one. */
const maxAnswerBytes = 1024 * 1024;

const clip = (value: string, length: number): string => (value.length > length ? `${value.slice(0, length)}…` : value);

export function readPartnerAnswer(body: string): PartnerAnswer {
  const parsed = parseCxml(new TextEncoder().encode(body), maxAnswerBytes);
  const node = parsed.ok ? path(parsed.tree, 'cXML', 'Response', 'Status') : undefined;
  const code = Number(attr(node, 'code'));
  if (node === undefined || !Number.isInteger(code)) {
    const what = body.trim() === '' ? 'an empty body' : `"${clip(body.trim(), 200)}"`;
    return { outcome: 'refused', summary: `the answer is not a cXML Response with a Status: ${what}` };
  }
  const detail = text(node);
  const status: CxmlStatus = { code, text: attr(node, 'text') ?? '', ...(detail === undefined || detail === '' ? {} : { detail }) };
  const summary = `cXML ${code} ${status.text}${status.detail === undefined ? '' : `: ${clip(status.detail, 300)}`}`;
  if (code >= 200 && code < 300) return { outcome: 'accepted', status, summary };
  return { outcome: code >= 500 && code < 600 ? 'retry' : 'refused', status, summary };
}
