import { randomBytes } from 'node:crypto';
import { statusTextLength } from './limits.ts';

// The cXML Response every request gets: Status code and text say what happened. The text is cut at
// statusTextLength characters, so that no answer grows with what was sent (a parser's message may
// quote the document).

const escape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const statusTexts: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const newPayloadId = (at: Date): string => `${at.getTime()}.${randomBytes(6).toString('hex')}@ordergate`;

/**
 * The detail as written into the Status element: escaped, and no longer than statusTextLength
 * characters (an ellipsis marks a cut; an escape or a surrogate pair is never split).
 */
export function boundedDetail(detail: string): string {
  const written = escape(detail);
  if (written.length <= statusTextLength) return written;
  let out = '';
  for (const char of detail) {
    const piece = escape(char);
    if (out.length + piece.length > statusTextLength - 1) break;
    out += piece;
  }
  return `${out}…`;
}

export function cxmlResponse(code: number, detail: string, at: Date = new Date()): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">',
    `<cXML payloadID="${escape(newPayloadId(at))}" timestamp="${at.toISOString()}" xml:lang="en-US">`,
    `<Response><Status code="${code}" text="${escape(statusTexts[code] ?? 'Error')}">${boundedDetail(detail)}</Status></Response>`,
    '</cXML>',
    '',
  ].join('\n');
}
