import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { offThreadFromChars, parseCxmlTextOffThread } from './parse-thread.ts';
import { parseCxmlText } from './parse.ts';

const template = readFileSync(new URL('./fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

/** An OrderRequest of `lines` ItemOut lines (5,000 is the most an order may have). */
function orderRequest(lines: number): string {
  const items = Array.from(
    { length: lines },
    (_, i) =>
      `<ItemOut quantity="1" lineNumber="${i + 1}"><ItemID><SupplierPartID>SKU-${i + 1}</SupplierPartID></ItemID>` +
      `<ItemDetail><UnitPrice><Money currency="USD">10.00</Money></UnitPrice><Description xml:lang="en">Item ${i + 1} &amp; more</Description>` +
      `<UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemOut>`,
  );
  return template.replace(/<ItemOut[\s\S]*<\/ItemOut>/, items.join('\n'));
}

describe('parsing a large cXML document on the parser thread', () => {
  const large = orderRequest(5_000);

  it('gives the tree the in-place parser gives', async () => {
    expect(large.length).toBeGreaterThan(offThreadFromChars);
    const inPlace = parseCxmlText(large);
    expect(inPlace.ok).toBe(true);
    expect(await parseCxmlTextOffThread(large)).toEqual(inPlace);
  });

  it('gives the same refusal for a document that is not well-formed or over a limit', async () => {
    for (const broken of [
      large.replace('</ItemOut>', '</ItemOutt>'),
      large.replace('<ItemID>', '<ItemID a="1" a="2">'),
      `${large}<extra/>`,
    ]) {
      const inPlace = parseCxmlText(broken);
      expect(inPlace.ok).toBe(false);
      expect(await parseCxmlTextOffThread(broken)).toEqual(inPlace);
    }
  });

  it('leaves the event loop free while it parses', async () => {
    await parseCxmlTextOffThread(large); // the thread started and warm
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks += 1;
      if (running) setTimeout(tick, 1);
    };
    const parsing = Promise.all([1, 2, 3].map(() => parseCxmlTextOffThread(large)));
    setTimeout(tick, 1);
    const results = await parsing;
    running = false;
    expect(results.every((result) => result.ok)).toBe(true);
    // Parsed in place, the three documents would have run back to back with no timer between them.
    expect(ticks).toBeGreaterThan(50);
  });
});
