import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMap850, map850For } from './map-850.ts';
import { readX12 } from './read.ts';

const bundle = readFileSync(new URL('./fixtures/850-bundle.x12', import.meta.url));
const orders = (mapName: string, input: Uint8Array = bundle) =>
  readX12(input, { map: map850For(mapName) }).interchanges.flatMap((i) => i.accepted.map((a) => a.value));

describe('850 maps', () => {
  it('map SLN sub-lines (SLN03 I) as components of the PO1 line before them, keeping SLN01', () => {
    const [order] = orders('default');
    const components = order?.lines.filter((l) => l.parentLineNumber === '2');
    expect(components?.map((c) => [c.lineNumber, c.sku, c.extras?.sln01])).toEqual([
      ['2.1', 'MODEM-X1', '1'],
      ['2.2', 'PORT-ACT', '2'],
      ['2.3', 'TRUCK-ROLL', '3'],
    ]);
  });

  it('let a partner map override the default: SKU from BP instead of VN', () => {
    expect(loadMap850('sku-from-buyer-part').parties).toEqual(loadMap850('default').parties);
    const byDefault = orders('default')[0]?.lines.find((l) => l.lineNumber === '2');
    const byPartner = orders('sku-from-buyer-part')[0]?.lines.find((l) => l.lineNumber === '2');
    expect(byDefault?.sku).toBe('INTERNET-100');
    expect(byPartner?.sku).toBe('NET100');
    expect(byPartner?.identifiers).toEqual({ vendorPart: 'INTERNET-100', buyerPart: 'NET100' });
  });

  it('keep what no map claims, and map routing, references, contacts and terms', () => {
    const text = bundle
      .toString()
      .replace(
        'CUR*BY*USD~',
        'CUR*BY*USD~\nREF*DP*038~\nPER*BD*Jane Buyer*TE*555-0100*EM*jane@acme.example~\nFOB*PP~\nITD*14*3*2**10**30~\nTD5*O*2*UPSN*M*UPS GROUND~',
      )
      .replace('SE*17*0001', 'SE*22*0001');
    const [order] = orders('default', Buffer.from(text));
    expect(order?.extras).toMatchObject({
      references: [{ qualifier: 'DP', value: '038' }],
      contacts: [{ role: 'BD', name: 'Jane Buyer', phone: '555-0100', email: 'jane@acme.example' }],
      routing: { carrierQualifier: '2', carrier: 'UPSN', mode: 'M', routing: 'UPS GROUND' },
      x12: [['FOB', 'PP']],
    });
    expect(order?.paymentTerms).toBe('2% discount, within 10 days, net 30 days');
  });

  it('refuse a map name that could reach outside the maps folder', () => {
    expect(() => loadMap850('../../package')).toThrow(/letters, digits and dashes/);
  });
});
