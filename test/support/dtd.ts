import { readFileSync } from 'node:fs';
import { DtdValidator, ParseOption, XmlDocument, XmlDtd, XmlLibError, type ErrorDetail } from 'libxml2-wasm';

// Validates XML against one of the cXML DTDs with libxml2 itself, compiled to WebAssembly
// (libxml2-wasm): the same xmlValidateDtd that `xmllint --dtdvalid` runs, in-process, with nothing
// installed beside the npm packages. Offline: the document's DOCTYPE URL is never followed
// (XML_PARSE_NO_XXE, and the wasm build has no network client); the DTD comes from
// adapters/cxml/fixtures/dtd. Warnings are not findings (as with `xmllint --nowarning`).

const dtds = new URL('../../adapters/cxml/fixtures/dtd/', import.meta.url);

export type CxmlDtd = 'cXML.dtd' | 'Fulfill.dtd';

// Each DTD is about 400 KB and parsed once per test file; the validators live as long as the
// worker, so they are never disposed.
const validators = new Map<CxmlDtd, DtdValidator>();
const validatorFor = (dtd: CxmlDtd): DtdValidator => {
  let validator = validators.get(dtd);
  if (validator === undefined) {
    validator = new DtdValidator(XmlDtd.fromBuffer(readFileSync(new URL(dtd, dtds))));
    validators.set(dtd, validator);
  }
  return validator;
};

const errorsOf = (details: ErrorDetail[]): string[] =>
  details.filter((d) => d.level >= 2).map((d) => `line ${d.line}${d.xpath === undefined ? '' : ` ${d.xpath}`}: ${d.message.trim()}`);

export function validateAgainstDtd(xml: string, dtd: CxmlDtd): { valid: boolean; errors: string[] } {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE });
  } catch (e) {
    // Not well-formed: as xmllint, that is an invalid document, not a failure of the validator.
    if (e instanceof XmlLibError) return { valid: false, errors: errorsOf(e.details) };
    throw e;
  }
  try {
    validatorFor(dtd).validate(doc);
    return { valid: true, errors: [] };
  } catch (e) {
    if (!(e instanceof XmlLibError)) throw e;
    const errors = errorsOf(e.details);
    return { valid: false, errors: errors.length > 0 ? errors : [e.message || 'invalid against the DTD'] };
  } finally {
    doc.dispose();
  }
}
