import { readFileSync } from 'node:fs';
import { capped, mutateBytes, repeatSlice, mutationCount } from '../mutate.ts';
import type { Random } from '../random.ts';
import type { Channel, FuzzContext, FuzzInput } from './channel.ts';
import { lineCount, sku } from './values.ts';

// cXML: the README's composite OrderRequest, the public samples (adapters/cxml/fixtures/samples, see
// its MANIFEST.tsv) and OrderRequests generated with bundles; each given the campaign partner's Header
// and a payloadID of its own (so that most pass authentication), then mutated as XML (attributes and
// text, elements repeated, removed or nested deep, declarations, identifiers too long) and as bytes.
// Some carry a wrong secret or an unknown sender.

const fixtures = new URL('../../../adapters/cxml/fixtures/', import.meta.url);
const samples = [
  { name: 'composite-OrderRequest.xml', text: readFileSync(new URL('composite-OrderRequest.xml', fixtures), 'utf8') },
  { name: 'cxmlphp-OrderRequest.xml', text: readFileSync(new URL('samples/cxmlphp-OrderRequest.xml', fixtures), 'utf8') },
  { name: 'cxmlphp-ShipNoticeRequest.xml', text: readFileSync(new URL('samples/cxmlphp-ShipNoticeRequest.xml', fixtures), 'utf8') },
];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function header(context: FuzzContext, secret = context.cxml.secret, identity = context.cxml.identity): string {
  const credential = (inner: string) => `<Credential domain="${context.cxml.domain}"><Identity>${identity}</Identity>${inner}</Credential>`;
  return `<Header><From>${credential('')}</From><To><Credential domain="NetworkID"><Identity>AN09999999999</Identity></Credential></To><Sender>${credential(`<SharedSecret>${escape(secret)}</SharedSecret>`)}<UserAgent>fuzz</UserAgent></Sender></Header>`;
}

function orderRequest(rng: Random, ref: string): string {
  const items: string[] = [];
  const count = lineCount(rng);
  let total = 0;
  for (let n = 1; n <= count; n += 1) {
    const price = rng.int(0, 10_000) / 100;
    const quantity = rng.int(1, 9);
    total += price * quantity;
    const composite = rng.chance(0.1) && n < count;
    const attributes = composite
      ? ' itemType="composite" compositeItemType="groupLevel"'
      : n > 1 && rng.chance(0.1)
        ? ` parentLineNumber="${n - 1}" itemType="item"`
        : '';
    items.push(
      `<ItemOut quantity="${quantity}" lineNumber="${n}"${attributes}${rng.chance(0.2) ? ' requestedDeliveryDate="2026-12-15"' : ''}>` +
        `<ItemID><SupplierPartID>${sku(rng)}</SupplierPartID>${rng.chance(0.2) ? `<BuyerPartID>${rng.text(6)}</BuyerPartID>` : ''}</ItemID>` +
        `<ItemDetail><UnitPrice><Money currency="USD">${price.toFixed(2)}</Money></UnitPrice><Description xml:lang="en">Item ${n}</Description>` +
        `<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">43222609</Classification></ItemDetail></ItemOut>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">\n` +
    `<cXML payloadID="generated" timestamp="2026-11-27T10:15:00-05:00" xml:lang="en-US"><Header/>` +
    `<Request deploymentMode="production"><OrderRequest><OrderRequestHeader orderID="${ref}" orderDate="2026-11-27T10:14:00-05:00" type="new">` +
    `<Total><Money currency="USD">${total.toFixed(2)}</Money></Total>` +
    `<ShipTo><Address addressID="DC-01"><Name xml:lang="en">Acme DC</Name><PostalAddress name="default"><Street>1 Main St</Street>` +
    `<City>Springfield</City><State>IL</State><PostalCode>62701</PostalCode><Country isoCountryCode="US">United States</Country></PostalAddress></Address></ShipTo>` +
    `${rng.chance(0.3) ? '<Comments xml:lang="en">Please call ahead.</Comments>' : ''}</OrderRequestHeader>${items.join('\n')}</OrderRequest></Request></cXML>\n`
  );
}

/** Values for attributes and text, written as XML would carry them: raw, or as character references. */
function nastyXml(rng: Random): { value: string; name: string } {
  return rng.weighted([
    [3, () => ({ value: 'A\u0000B', name: 'nul' })],
    [3, () => ({ value: 'A&#0;B', name: 'nul-ref' })],
    [3, () => ({ value: 'x&#xD800;y', name: 'lone-surrogate-ref' })],
    [1, () => ({ value: '&#x110000;', name: 'beyond-unicode-ref' })],
    [1, () => ({ value: 'x\ud800y', name: 'lone-surrogate' })],
    [3, () => ({ value: 'X'.repeat(rng.logInt(41, 200_000)), name: 'over-long' })],
    [1, () => ({ value: '', name: 'empty' })],
    [1, () => ({ value: '&undefined;', name: 'unknown-entity' })],
    [1, () => ({ value: '&amp;&lt;&gt;&quot;&apos;&#65;&#x42;', name: 'entities' })],
    [1, () => ({ value: '-1e309', name: 'number' })],
  ] as const)();
}

function mutateXml(rng: Random, text: string, maxBytes: number): { text: string; name: string } {
  const kind = rng.weighted([
    [4, 'attribute'],
    [3, 'text'],
    [2, 'repeat-element'],
    [2, 'remove-element'],
    [1, 'deep'],
    [1, 'many-attributes'],
    [1, 'declaration'],
    [1, 'cdata'],
    [2, 'identifier-long'],
    [1, 'many-items'],
  ] as const);
  const pickMatch = (pattern: RegExp) => {
    const matches = [...text.matchAll(pattern)].slice(0, 5000);
    return matches.length === 0 ? undefined : rng.pick(matches);
  };
  const splice = (at: number, length: number, insert: string) => text.slice(0, at) + insert + text.slice(at + length);
  switch (kind) {
    case 'attribute': {
      const match = pickMatch(/ ([\w:]+)="([^"]*)"/g);
      if (match === undefined) return { text, name: 'attribute(none)' };
      const { value, name } = nastyXml(rng);
      return { text: splice(match.index, match[0].length, ` ${match[1]}="${value}"`), name: `xml:attribute(${name})@${match[1]}` };
    }
    case 'text': {
      const match = pickMatch(/<(\w+)(?: [^>]*)?>([^<]+)<\/\1>/g);
      if (match === undefined) return { text, name: 'text(none)' };
      const { value, name } = nastyXml(rng);
      return { text: splice(match.index, match[0].length, `<${match[1]}>${value}</${match[1]}>`), name: `xml:text(${name})@${match[1]}` };
    }
    case 'repeat-element': {
      const match = pickMatch(/<(\w+)[ >][\s\S]*?<\/\1>/g);
      if (match === undefined) return { text, name: 'repeat(none)' };
      return { text: splice(match.index, 0, match[0].repeat(rng.int(1, 10))), name: `xml:repeat@${match[1]}` };
    }
    case 'remove-element': {
      const match = pickMatch(/<(\w+)[ >][\s\S]*?<\/\1>/g);
      if (match === undefined) return { text, name: 'remove(none)' };
      return { text: splice(match.index, match[0].length, ''), name: `xml:remove@${match[1]}` };
    }
    case 'deep': {
      const depth = rng.logInt(10, 200_000);
      const at = text.indexOf('</OrderRequestHeader>');
      const nest = `<Extrinsic name="deep">${'<a>'.repeat(depth)}x${rng.chance(0.8) ? '</a>'.repeat(depth) : ''}</Extrinsic>`;
      return { text: at < 0 ? text + nest : splice(at, 0, nest), name: `xml:deep(${depth})` };
    }
    case 'many-attributes': {
      const count = rng.logInt(10, 300_000);
      const attributes = Array.from({ length: count }, (_, n) => ` a${n}="${n}"`).join('');
      return { text: text.replace('<OrderRequestHeader', `<OrderRequestHeader${attributes}`), name: `xml:many-attributes(${count})` };
    }
    case 'declaration': {
      const doctype = rng.pick([
        '<!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        '<!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE cXML SYSTEM "http://127.0.0.1:1/cXML.dtd">',
        '<!DOCTYPE cXML PUBLIC "-//x//y" "http://169.254.169.254/latest/meta-data/">',
        '<!DOCTYPE cXML [<!ELEMENT cXML ANY>]>',
      ]);
      const replaced = text.replace(/<!DOCTYPE[^>]*>/, doctype);
      return {
        text: rng.chance(0.5) ? replaced.replace('<Comments xml:lang="en">', '<Comments xml:lang="en">&c;&x;') : replaced,
        name: 'xml:declaration',
      };
    }
    case 'cdata': {
      const at = text.indexOf('</OrderRequestHeader>');
      const cdata = rng.pick([
        '<![CDATA[<!ENTITY x "y">]]>',
        '<![CDATA[unclosed',
        ']]>',
        '<!-- <!ENTITY x "y"> -->',
        '<?pi data?>',
        '<!-- unclosed',
      ]);
      return { text: at < 0 ? text + cdata : splice(at, 0, `<Comments>${cdata}</Comments>`), name: 'xml:cdata' };
    }
    case 'identifier-long': {
      const target = rng.pick(['orderID', 'payloadID', 'lineNumber', 'addressID', 'orderVersion']);
      const length = rng.pick([41, 81, 256, 3000, 100_000]);
      const replaced = text.replace(new RegExp(` ${target}="[^"]*"`), ` ${target}="${'I'.repeat(length)}"`);
      return {
        text: replaced === text ? text.replace('<OrderRequestHeader', `<OrderRequestHeader ${target}="${'I'.repeat(length)}"`) : replaced,
        name: `xml:identifier-long@${target}(${length})`,
      };
    }
    case 'many-items': {
      const match = /<ItemOut[\s\S]*?<\/ItemOut>/.exec(text);
      if (match === null) return { text, name: 'many-items(none)' };
      const count = Math.floor(rng.logInt(1_000, maxBytes) / match[0].length);
      const items = Array.from({ length: count }, (_, n) => match[0].replace(/lineNumber="[^"]*"/, `lineNumber="x${n}"`)).join('\n');
      return { text: splice(match.index + match[0].length, 0, items), name: `xml:many-items(${count})` };
    }
  }
}

export const cxmlChannel: Channel = {
  name: 'cxml',
  build(rng, index, context): FuzzInput {
    const names: string[] = [];
    let text: string;
    if (rng.chance(0.3)) {
      const source = rng.pick(samples);
      names.push(`sample ${source.name}`);
      text = source.text;
    } else {
      text = orderRequest(rng, `PO-${context.runTag}-${index}`);
      names.push(`generated OrderRequest (${(text.match(/<ItemOut /g) ?? []).length} lines)`);
    }
    const auth = rng.weighted([
      [30, 'ok'],
      [1, 'wrong-secret'],
      [1, 'unknown-sender'],
      [1, 'no-header'],
    ] as const);
    const ours =
      auth === 'wrong-secret'
        ? header(context, 'not-the-secret')
        : auth === 'unknown-sender'
          ? header(context, context.cxml.secret, 'AN00000000000')
          : auth === 'no-header'
            ? ''
            : header(context);
    if (auth !== 'ok') names.push(`auth:${auth}`);
    text = text
      .replace(/<Header\/>|<Header>[\s\S]*?<\/Header>/, () => ours)
      .replace(/payloadID="[^"]*"/, `payloadID="fuzz-${context.runTag}-${index}@fuzz.example"`);
    const mutations = mutationCount(rng);
    for (let m = 0; m < mutations; m += 1) {
      const mutated = mutateXml(rng, text, context.maxBytes);
      text = mutated.text;
      names.push(mutated.name);
    }
    let body: Buffer = Buffer.from(text, 'utf8');
    if (rng.chance(0.15)) {
      const mutated = rng.chance(0.05) ? repeatSlice(rng, body, context.maxBytes) : mutateBytes(rng, body, context.maxBytes);
      body = mutated.body;
      names.push(mutated.name);
    }
    body = capped(body, context.maxBytes, names);
    const headers: Record<string, string> = {
      'content-type': rng.chance(0.97)
        ? 'text/xml'
        : rng.pick(['application/xml', 'text/plain', 'text/xml; charset=utf-16', 'application/json']),
    };
    if (headers['content-type'] !== 'text/xml') names.push(`header:content-type(${headers['content-type']})`);
    return { method: 'POST', path: '/v1/cxml', headers, body, label: names.join(' / ') };
  },
};
