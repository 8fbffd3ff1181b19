import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateAgainstDtd } from './dtd.ts';

// The cXML tests trust validateAgainstDtd to say "valid"; these make sure it can also say "no",
// for the reasons a DTD gives, and that it needs nothing but the npm packages to do either.

const sample = (name: string) => readFileSync(new URL(`../../adapters/cxml/fixtures/samples/${name}`, import.meta.url), 'utf8');
const orderRequest = sample('cxmlphp-OrderRequest.xml');
const shipNotice = sample('cxmlphp-ShipNoticeRequest.xml');

describe('validateAgainstDtd', () => {
  it('passes the published samples, each against its own DTD', () => {
    expect(validateAgainstDtd(orderRequest, 'cXML.dtd')).toEqual({ valid: true, errors: [] });
    expect(validateAgainstDtd(shipNotice, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
  });

  it('refuses an element the content model does not allow, naming it', () => {
    const result = validateAgainstDtd(orderRequest.replace('<OrderRequest>', '<OrderRequest><Bogus/>'), 'cXML.dtd');
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/cXML\/Request\/OrderRequest: Element OrderRequest content does not follow the DTD/),
        expect.stringMatching(/No declaration for element Bogus/),
      ]),
    );
  });

  it('refuses a missing required attribute and a value outside an enumeration', () => {
    expect(validateAgainstDtd(orderRequest.replace(/payloadID="[^"]*"/, ''), 'cXML.dtd')).toEqual({
      valid: false,
      errors: ['line 4 /cXML: Element cXML does not carry attribute payloadID'],
    });
    expect(validateAgainstDtd(orderRequest.replace('type="new"', 'type="brand-new"'), 'cXML.dtd')).toEqual({
      valid: false,
      errors: [
        'line 28 /cXML/Request/OrderRequest/OrderRequestHeader: Value "brand-new" for attribute type of OrderRequestHeader is not among the enumerated set',
      ],
    });
  });

  it('validates against the DTD it is given, not the one the DOCTYPE names', () => {
    // The ship notice's DOCTYPE names Fulfill.dtd; cXML.dtd has no ShipNoticeRequest.
    const result = validateAgainstDtd(shipNotice, 'cXML.dtd');
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual(expect.stringMatching(/No declaration for element ShipNoticeRequest/));
  });

  it('answers a document that is not well-formed as invalid, with the parser error', () => {
    const result = validateAgainstDtd(orderRequest.replace('</cXML>', ''), 'cXML.dtd');
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
  });
});
