import { describe, expect, it } from 'vitest';
import { indentXml } from './xml-indent.ts';

describe('indentXml', () => {
  it('puts each element on its own line, indented by level, text-only elements on one line', () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd"><cXML payloadID="a>b"><Header><From><Credential domain="x"><Identity>ACME</Identity><SharedSecret>[redacted]</SharedSecret></Credential></From><Empty/><None></None></Header></cXML>';
    expect(indentXml(xml)).toBe(
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">',
        '<cXML payloadID="a>b">',
        '  <Header>',
        '    <From>',
        '      <Credential domain="x">',
        '        <Identity>ACME</Identity>',
        '        <SharedSecret>[redacted]</SharedSecret>',
        '      </Credential>',
        '    </From>',
        '    <Empty/>',
        '    <None></None>',
        '  </Header>',
        '</cXML>',
      ].join('\n'),
    );
  });

  it('keeps entities, comments and CDATA as they are, and re-indents what was indented otherwise', () => {
    const xml = '<a>\n      <b>x &amp; &lt;y&gt;</b>\n<!-- a <b> note --><c><![CDATA[<not a tag>]]></c>\n</a>';
    expect(indentXml(xml)).toBe('<a>\n  <b>x &amp; &lt;y&gt;</b>\n  <!-- a <b> note -->\n  <c>\n    <![CDATA[<not a tag>]]>\n  </c>\n</a>');
  });

  it('gives up on what it cannot follow', () => {
    expect(indentXml('<a><b></a>')).toBeUndefined();
    expect(indentXml('<a><b>')).toBeUndefined();
    expect(indentXml('<a attr="never closed>')).toBeUndefined();
  });
});
