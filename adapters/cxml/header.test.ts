import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEnvelope, readHeader } from './header.ts';
import { documentLimits } from './limits.ts';
import { parseCxml } from './parse.ts';

// The Header is read from a bounded prefix, before the sender is authenticated and before anything
// after it is looked at: what it finds is what the whole parse finds, and what follows the Header
// does not change it.

const composite = readFileSync(new URL('./fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');
const bytes = (text: string) => new TextEncoder().encode(text);
const max = 5 * 1024 * 1024;

const char = fc.constantFrom('a', 'Z', '0', ' ', '<', '>', '&', '"', "'", ']', '-', 'é', '😀', '水');
const value = fc.string({ unit: char, minLength: 1, maxLength: 20 });
/** A text written as escaped text, as a CDATA section, or with character references. */
const written = (text: string, how: 'escaped' | 'cdata' | 'references') => {
  if (how === 'cdata' && !text.includes(']]>')) return `<![CDATA[${text}]]>`;
  if (how === 'references') return [...text].map((c) => `&#${c.codePointAt(0)};`).join('');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
};
const how = fc.constantFrom('escaped' as const, 'cdata' as const, 'references' as const);
const junk = fc.constantFrom(
  '',
  '<Request><a></b></Request>',
  `<Request><OrderRequest${Array.from({ length: 2_000 }, (_, i) => ` a${i}="x"`).join('')}/></Request>`,
  `<Request>${'<a>'.repeat(500)}`,
  '<Request><!ENTITY x "y"></Request>',
  '<Request>&undefined;</Request>',
);

describe('readEnvelope', () => {
  it('finds the Header the whole parse finds, whatever comes after it', () => {
    fc.assert(
      fc.property(value, value, value, how, how, junk, (identity, secret, domain, identityHow, secretHow, after) => {
        const header =
          `<Header><From><Credential domain="${domain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')}">` +
          `<Identity>${written(identity, identityHow)}</Identity></Credential></From>` +
          `<Sender><Credential domain="d"><Identity>x</Identity><SharedSecret>${written(secret, secretHow)}</SharedSecret></Credential></Sender></Header>`;
        const whole = `<?xml version="1.0"?>\n<cXML payloadID="p@x" timestamp="t">${header}<Request/></cXML>`;
        const full = parseCxml(bytes(whole), max);
        if (!full.ok) throw new Error(full.failure.text);
        const expected = readHeader(full.tree);
        const read = readEnvelope(bytes(whole), max);
        expect(read).toMatchObject({ ok: true, envelope: { header: expected.ok ? expected.header : undefined } });
        const followed = readEnvelope(bytes(whole.replace('<Request/></cXML>', after)), max);
        expect(followed).toEqual({ ok: true, envelope: { text: expect.any(String), header: read.ok ? read.envelope.header : undefined } });
      }),
      { numRuns: 300 },
    );
  });

  it('reads the Header of the fixture, and nothing after it', () => {
    const broken = composite.replace('</ItemOut>', '').replace('<OrderRequest>', `<OrderRequest${' a="1"'.repeat(100_000)}>`);
    const read = readEnvelope(bytes(broken), max);
    expect(read).toMatchObject({
      ok: true,
      envelope: {
        header: {
          payloadId: '1700000000.4711@buyer.example',
          from: [{ domain: 'NetworkID', identity: 'AN01000000001' }],
          sender: { sharedSecret: 's3cret-for-tests' },
        },
      },
    });
  });

  it.each([
    [
      'a Header that does not end within the limit',
      composite.replace('<Header>', `<Header><!-- ${'x'.repeat(70_000)} -->`),
      406,
      'limit header-length (65536)',
    ],
    [
      'a Header with too many attributes',
      composite.replace('<From>', `<From${' a="1"'.repeat(300)}>`),
      406,
      'limit attributes-per-element (256)',
    ],
    ['a root that is not cXML', '<Envelope><Header/></Envelope>', 406, 'the root element is not cXML'],
    ['a Request before the Header', '<cXML payloadID="p" timestamp="t"><Request/><Header/></cXML>', 406, 'cXML/Header is missing'],
    ['an internal DTD subset', composite.replace(/<!DOCTYPE[^>]*>/, '<!DOCTYPE cXML [<!ENTITY x "y">]>'), 406, 'entity declarations'],
    ['a Header that is not well-formed', composite.replace('</From>', '</Fromm>'), 406, "Expected closing tag 'From'"],
    [
      'a long payloadID',
      composite.replace('1700000000.4711@buyer.example', 'p'.repeat(256)),
      400,
      'cXML@payloadID is 256 characters long; at most 255',
    ],
    [
      'a long From Identity',
      composite.replace(
        '<Identity>AN01000000001</Identity></Credential></From>',
        `<Identity>${'i'.repeat(201)}</Identity></Credential></From>`,
      ),
      400,
      'Header/From/Credential[1]/Identity is 201 characters long; at most 200',
    ],
    [
      'a long To domain',
      composite.replace('<To><Credential domain="NetworkID">', `<To><Credential domain="${'d'.repeat(101)}">`),
      400,
      'Header/To/Credential[1]@domain is 101 characters long; at most 100',
    ],
    [
      'a long SharedSecret',
      composite.replace('s3cret-for-tests', 's'.repeat(501)),
      400,
      'Header/Sender/Credential[1]/SharedSecret is 501 characters long; at most 500',
    ],
  ])('%s → %i naming it', (_name, xml, status, text) => {
    const read = readEnvelope(bytes(xml), max);
    expect(read).toMatchObject({ ok: false, failure: { status, text: expect.stringContaining(text) } });
  });

  it('counts characters as JSON Schema does: an identity of 200 emoji is not too long', () => {
    const xml = composite.replace(
      '<Identity>AN01000000001</Identity></Credential></From>',
      `<Identity>${'😀'.repeat(200)}</Identity></Credential></From>`,
    );
    expect(readEnvelope(bytes(xml), max)).toMatchObject({ ok: true });
  });

  it('reads at most the first headerLength characters to find the Header', () => {
    expect(documentLimits.headerLength).toBe(65_536);
    const late = composite.replace('<cXML', `<!-- ${'x'.repeat(65_536)} -->\n<cXML`);
    expect(readEnvelope(bytes(late), max)).toMatchObject({
      ok: false,
      failure: { status: 406, text: expect.stringContaining('header-length') },
    });
  });
});
