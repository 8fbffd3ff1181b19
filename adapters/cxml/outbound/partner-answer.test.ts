import { describe, expect, it } from 'vitest';
import { cxmlResponse } from '../response.ts';
import { readPartnerAnswer } from './partner-answer.ts';

describe('readPartnerAnswer', () => {
  it.each([
    [200, 'accepted'],
    [201, 'accepted'],
    [400, 'refused'],
    [401, 'refused'],
    [406, 'refused'],
    [500, 'retry'],
    [503, 'retry'],
  ])('cXML Status %i → %s', (code, outcome) => {
    expect(readPartnerAnswer(cxmlResponse(code, 'because'))).toMatchObject({ outcome, status: { code, detail: 'because' } });
  });

  it('names the code, its text and the detail', () => {
    expect(readPartnerAnswer(cxmlResponse(400, 'unknown order PO-9001')).summary).toBe('cXML 400 Bad Request: unknown order PO-9001');
    expect(readPartnerAnswer('<cXML payloadID="p" timestamp="t"><Response><Status code="200" text="OK"/></Response></cXML>')).toEqual({
      outcome: 'accepted',
      status: { code: 200, text: 'OK' },
      summary: 'cXML 200 OK',
    });
  });

  it.each([
    ['an empty body', '', 'an empty body'],
    ['not XML', 'thanks!', '"thanks!"'],
    ['XML without a Status', '<cXML payloadID="p" timestamp="t"><Response/></cXML>', 'Response'],
    [
      'a Status without a numeric code',
      '<cXML payloadID="p" timestamp="t"><Response><Status code="ok" text="OK"/></Response></cXML>',
      'code="ok"',
    ],
  ])('refuses %s: nobody can tell it was taken', (_name, body, mention) => {
    const answer = readPartnerAnswer(body);
    expect(answer.outcome).toBe('refused');
    expect(answer.summary).toContain(mention);
  });
});
