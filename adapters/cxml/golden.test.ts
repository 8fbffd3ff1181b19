import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../test/support/golden.ts';
import { checkOrderRequest, mapOrderRequest, parseCxml, readHeader } from './index.ts';

// Golden files: each OrderRequest → the canonical draft it maps to. A missing golden file fails;
// regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff.

const documents = {
  'cxmlphp-OrderRequest.xml': new URL('./fixtures/samples/cxmlphp-OrderRequest.xml', import.meta.url),
  'composite-OrderRequest.xml': new URL('./fixtures/composite-OrderRequest.xml', import.meta.url),
};

describe('cXML OrderRequests against their golden files', () => {
  for (const [name, url] of Object.entries(documents)) {
    it(name, () => {
      const parsed = parseCxml(readFileSync(url), 1024 * 1024);
      if (!parsed.ok) throw new Error(parsed.failure.text);
      const header = readHeader(parsed.tree);
      if (!header.ok) throw new Error(header.text);
      expect(checkOrderRequest(parsed.tree)).toEqual([]);
      expectGolden(mapOrderRequest(parsed.tree, header.header.payloadId), new URL(`./fixtures/golden/${name}.json`, import.meta.url));
    });
  }
});
