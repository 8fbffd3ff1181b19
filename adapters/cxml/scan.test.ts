import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { documentLimits, type DocumentLimits } from './limits.ts';
import { describeRefusal, scanXml, type ScanStats } from './scan.ts';

// The scanner that stands before fast-xml-parser: whatever it is given it answers and never throws;
// on well-formed documents it counts what fast-xml-parser finds; each limit refuses exactly the
// documents over it; and markup inside comments, CDATA and attribute values is data.

/** Documents with the numbers the scanner should find, counted while they are written. */
interface Written {
  xml: string;
  stats: ScanStats;
}

type Node =
  | { kind: 'text'; value: string }
  | { kind: 'cdata'; value: string }
  | { kind: 'comment'; value: string }
  | { kind: 'element'; name: string; attributes: [string, string][]; children: Node[]; selfClose: boolean };

const tricky = [
  '<!ENTITY x SYSTEM "file:///etc/passwd">',
  '<!DOCTYPE a [<!ENTITY b "c">]>',
  '<![CDATA[',
  ']]',
  '--',
  '<a>',
  '</a>',
  '&amp;',
];
const char = fc.constantFrom('a', 'Z', ' ', '\n', '\t', '<', '>', '&', '"', "'", '!', '[', ']', '-', '=', '/', '?', 'é', '😀', '水');
const rawText = fc.oneof(fc.string({ unit: char, maxLength: 12 }), fc.constantFrom(...tricky));
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,6}$/);

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (s: string) => escapeText(s).replace(/"/g, '&quot;');

const { node } = fc.letrec<{ node: Node; element: Node }>((tie) => ({
  // At the greatest depth oneof takes its first: text.
  node: fc.oneof(
    { maxDepth: 8, depthSize: 'small', withCrossShrink: true },
    rawText.map((value) => ({ kind: 'text' as const, value })),
    rawText.map((value) => ({ kind: 'cdata' as const, value: value.replace(/]]>/g, ']] >') })),
    rawText.map((value) => ({ kind: 'comment' as const, value: value.replace(/-/g, '_') })),
    { arbitrary: tie('element'), weight: 4 },
  ),
  element: fc.record({
    kind: fc.constant('element' as const),
    name,
    attributes: fc.uniqueArray(fc.tuple(name, rawText), { maxLength: 5, selector: ([n]) => n }),
    children: fc.array(tie('node'), { maxLength: 4 }),
    selfClose: fc.boolean(),
  }),
}));
const rootElement = fc.record({
  kind: fc.constant('element' as const),
  name,
  attributes: fc.uniqueArray(fc.tuple(name, rawText), { maxLength: 5, selector: ([n]) => n }),
  children: fc.array(node, { maxLength: 5 }),
  selfClose: fc.boolean(),
});

function write(root: Node & { kind: 'element' }, prolog: { declaration: boolean; doctype: boolean; comment: boolean }): Written {
  const stats: ScanStats = { elements: 0, attributes: 0, maxDepth: 0, maxAttributes: 0, longestAttribute: 0, longestText: 0 };
  let run = 0;
  const addRun = (n: number) => {
    run += n;
    stats.longestText = Math.max(stats.longestText, run);
  };
  const out = (n: Node, depth: number): string => {
    switch (n.kind) {
      case 'text': {
        const written = escapeText(n.value);
        addRun(written.length);
        return written;
      }
      case 'cdata':
        addRun(n.value.length);
        return `<![CDATA[${n.value}]]>`;
      case 'comment':
        return `<!--${n.value}-->`;
      case 'element': {
        stats.elements++;
        stats.attributes += n.attributes.length;
        stats.maxDepth = Math.max(stats.maxDepth, depth);
        stats.maxAttributes = Math.max(stats.maxAttributes, n.attributes.length);
        const attributes = n.attributes
          .map(([k, v]) => {
            const value = escapeAttribute(v);
            stats.longestAttribute = Math.max(stats.longestAttribute, value.length);
            return ` ${k}="${value}"`;
          })
          .join('');
        run = 0;
        if (n.selfClose && n.children.length === 0) return `<${n.name}${attributes}/>`;
        const inner = n.children.map((c) => out(c, depth + 1)).join('');
        run = 0;
        return `<${n.name}${attributes}>${inner}</${n.name}>`;
      }
    }
  };
  const body = out(root, 1);
  const xml = [
    prolog.declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '',
    prolog.doctype ? `<!DOCTYPE ${root.name} SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">\n` : '',
    prolog.comment ? '<!-- <!ENTITY in a comment> -->\n' : '',
    body,
    '\n',
  ].join('');
  return { xml, stats };
}

const document = fc
  .tuple(rootElement, fc.record({ declaration: fc.boolean(), doctype: fc.boolean(), comment: fc.boolean() }))
  .map(([root, prolog]) => write(root, prolog));

/** Depth, elements and attributes as fast-xml-parser's ordered tree has them. */
function countedByFastXmlParser(xml: string) {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
  });
  const found = { elements: 0, attributes: 0, maxDepth: 0 };
  const walk = (nodes: Record<string, unknown>[], depth: number) => {
    for (const n of nodes) {
      const key = Object.keys(n).find((k) => k !== ':@');
      if (key === undefined || key.startsWith('#')) continue;
      found.elements++;
      found.attributes += Object.keys((n[':@'] as object | undefined) ?? {}).length;
      found.maxDepth = Math.max(found.maxDepth, depth);
      walk(n[key] as Record<string, unknown>[], depth + 1);
    }
  };
  walk(parser.parse(xml) as Record<string, unknown>[], 1);
  return found;
}

const roomy: DocumentLimits = {
  headerLength: 1e9,
  depth: 1e9,
  attributesPerElement: 1e9,
  attributeLength: 1e9,
  textLength: 1e9,
  nameLength: 1e9,
  elements: 1e9,
  attributes: 1e9,
};

/** What the XML-minded fuzz is made of: the scanner's own tokens, pieces of them, and plain characters. */
const piece = fc.constantFrom(
  '<',
  '>',
  '</',
  '/>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?',
  '?>',
  '<!DOCTYPE',
  '<!ENTITY',
  '<!',
  '[',
  '"',
  "'",
  '=',
  'a',
  'cXML',
  'Header',
  ' ',
  '\n',
  'é',
  '😀',
  '\uD800',
);
const xmlish = fc.array(piece, { maxLength: 60 }).map((p) => p.join(''));

describe('scanXml', () => {
  it('never throws, whatever it is given, and cut anywhere; a refusal says where and stays short', () => {
    fc.assert(
      fc.property(fc.oneof(xmlish, fc.string({ unit: 'binary', maxLength: 80 })), fc.option(fc.nat({ max: 100 })), (text, end) => {
        const tight: DocumentLimits = {
          ...documentLimits,
          depth: 3,
          attributesPerElement: 2,
          attributeLength: 5,
          textLength: 5,
          nameLength: 4,
        };
        for (const limits of [documentLimits, tight]) {
          const outcome = scanXml(text, limits, end === null ? {} : { end });
          if (!outcome.ok) {
            expect(outcome.refusal.offset).toBeGreaterThanOrEqual(0);
            expect(outcome.refusal.offset).toBeLessThanOrEqual(text.length);
            expect(describeRefusal(text, outcome.refusal, limits).length).toBeLessThan(1_000);
          }
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('on well-formed documents, finds the depth, elements and attributes that fast-xml-parser finds', () => {
    fc.assert(
      fc.property(document, ({ xml, stats }) => {
        expect(XMLValidator.validate(xml)).toBe(true);
        const outcome = scanXml(xml, roomy);
        expect(outcome).toMatchObject({ ok: true, cut: false });
        expect(outcome.stats).toEqual(stats);
        expect({ elements: outcome.stats.elements, attributes: outcome.stats.attributes, maxDepth: outcome.stats.maxDepth }).toEqual(
          countedByFastXmlParser(xml),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('each limit refuses exactly the documents over it, naming it', () => {
    const checked: [keyof DocumentLimits, keyof ScanStats][] = [
      ['depth', 'maxDepth'],
      ['elements', 'elements'],
      ['attributes', 'attributes'],
      ['attributesPerElement', 'maxAttributes'],
      ['attributeLength', 'longestAttribute'],
      ['textLength', 'longestText'],
    ];
    fc.assert(
      fc.property(document, fc.constantFrom(...checked), ({ xml, stats }, [limit, stat]) => {
        expect(scanXml(xml, { ...roomy, [limit]: stats[stat] }).ok).toBe(true);
        if (stats[stat] === 0) return;
        const refused = scanXml(xml, { ...roomy, [limit]: stats[stat] - 1 });
        expect(refused).toMatchObject({ ok: false, refusal: { kind: 'limit', limit } });
      }),
      { numRuns: 600 },
    );
  });

  it('reads `<!ENTITY` inside CDATA, comments and attribute values as data, and refuses it as a declaration', () => {
    const data = [
      '<a><![CDATA[<!ENTITY x SYSTEM "file:///etc/passwd">]]></a>',
      '<a><!-- <!ENTITY x "y"> --></a>',
      "<a b=\"<!ENTITY x 'y'>\" c='<!DOCTYPE a ['/>",
      '<!DOCTYPE a SYSTEM "http://example.com/[odd].dtd"><a/>',
      '<?pi <!ENTITY x "y">?><a/>',
    ];
    for (const xml of data) expect(scanXml(xml, documentLimits), xml).toMatchObject({ ok: true });
    const declarations: [string, string][] = [
      ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'entity declarations and internal DTD subsets are not accepted'],
      ['<!ENTITY x "y"><a/>', 'entity declarations and internal DTD subsets are not accepted'],
      ['<a><!ENTITY x "y"></a>', 'entity declarations and internal DTD subsets are not accepted'],
      ['<!DOCTYPE a SYSTEM "a.dtd"><!DOCTYPE a SYSTEM "a.dtd"><a/>', 'more than one DOCTYPE'],
      ['<a><!ELEMENT a ANY></a>', 'markup declarations (<!ELEMENT) are not accepted'],
    ];
    for (const [xml, detail] of declarations)
      expect(scanXml(xml, documentLimits), xml).toMatchObject({ ok: false, refusal: { kind: 'declaration', detail } });
  });

  it('refuses pathological documents at the first violation, in milliseconds, with a short message', () => {
    const cases: [string, string][] = [
      [`<cXML><a${Array.from({ length: 200_000 }, (_, i) => ` a${i}="x"`).join('')}/></cXML>`, 'limit attributes-per-element (256)'],
      [`<cXML a="${'x'.repeat(4_500_000)}"/>`, 'limit attribute-length (65536)'],
      [`<cXML>${'x'.repeat(4_500_000)}</cXML>`, 'limit text-length (65536)'],
      [`<cXML>${'<a>'.repeat(200_000)}`, 'limit depth (64)'],
      [`<cXML>${'<a/>'.repeat(300_000)}</cXML>`, 'limit elements (250000)'],
      [`<cXML>${'<a b="" c="" d="" e="" f=""/>'.repeat(60_000)}</cXML>`, 'limit attributes (250000)'],
      [`<${'a'.repeat(100_000)}/>`, 'limit name-length (256)'],
      [`<cXML><![CDATA[${'x'.repeat(4_500_000)}]]></cXML>`, 'limit text-length (65536)'],
    ];
    for (const [xml, named] of cases) {
      const started = performance.now();
      const outcome = scanXml(xml, documentLimits);
      const took = performance.now() - started;
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      const message = describeRefusal(xml, outcome.refusal, documentLimits);
      expect(message).toContain(named);
      expect(message.length).toBeLessThan(300);
      expect(took, named).toBeLessThan(1_000);
    }
  });

  it('says where an end tag does not match, as the validator does, and where the document ends with elements open', () => {
    const xml = '<a>\n  <b>\n    <c>\n  </b>\n</a>';
    const outcome = scanXml(xml, documentLimits);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(describeRefusal(xml, outcome.refusal, documentLimits)).toBe(
        "not well-formed XML at line 4, column 3: Expected closing tag 'c' (opened in line 3, col 5) instead of closing tag 'b'.",
      );
    const open = '<a>\n<b>';
    const unclosed = scanXml(open, documentLimits);
    if (!unclosed.ok)
      expect(describeRefusal(open, unclosed.refusal, documentLimits)).toBe(
        "not well-formed XML at line 2, column 4: the document ends with 2 elements open, the innermost 'b' (opened in line 2, col 1)",
      );
    expect(unclosed.ok).toBe(false);
  });

  it('stops where an event asks, with the elements still open; reaching `end` first is a cut, not an error', () => {
    const xml = '<cXML p="1"><Header><From/></Header><Request>x</Request></cXML>';
    const stopped = scanXml(xml, documentLimits, { events: { close: (n, depth) => depth === 2 && n === 'Header' } });
    expect(stopped).toMatchObject({ ok: true, stopped: { at: xml.indexOf('<Request>'), open: ['cXML'] } });
    expect(scanXml(xml, documentLimits, { end: 20 })).toMatchObject({ ok: true, cut: true });
    expect(scanXml(`${xml}<!-- cut inside a comment`, documentLimits, { end: xml.length + 10 })).toMatchObject({ ok: true, cut: true });
    expect(scanXml(`${xml}<!-- never ends`, documentLimits)).toMatchObject({ ok: false, refusal: { kind: 'malformed' } });
  });
});
