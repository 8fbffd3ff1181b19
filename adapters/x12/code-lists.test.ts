import { describe, expect, it } from 'vitest';
import { answer, body850, x12 } from './fixtures/negative/build.ts';
import { guideFor, loadGuide } from './guide.ts';
import { guidesFor } from './map-850.ts';

// Code lists (issue 11, item 1). The standard's lists are ASC X12's, under copyright: ordergate
// cannot hold them complete for 004010 and 005010, nor redistribute them, and a partial list refused
// codes the standard defines. So the default 850 guide checks no code list (only type, length and
// presence), and a partner's own guide may narrow a list: then a code outside it is AK4 code 7.

const [beg, n1, po1, pid, po1b, ctt] = body850() as [string, string, string, string, string, string];

function read850(body: string[], mapName = 'default', version = '004010') {
  const isa = version >= '005010' ? { 12: '00501' } : {};
  const { outcome, lines } = answer(x12({ isa, groups: [{ version, sets: [{ body }] }] }), mapName);
  return {
    orders: outcome.accepted.map((a) => a.value),
    ak: lines.filter((l) => /^(AK[2345]|IK[345])\*/.test(l)),
    ak9: lines.find((l) => l.startsWith('AK9*')),
  };
}

describe('the default 850 guide checks no code list', () => {
  it('holds no code list and names none on an element, and says why', () => {
    const guide = loadGuide('850');
    expect(guide.codeLists).toEqual({});
    expect(Object.values(guide.elements).flatMap((rules) => rules.filter((rule) => rule.codes !== undefined))).toEqual([]);
    expect((guide as unknown as { $comment: string }).$comment).toMatch(/checks no code lists.*copyright/);
  });

  // One case per list the old guide held in part: a code of the standard's list that the partial list lacked.
  const lacked: [list: string, body: string[]][] = [
    ['DTM01 (374) 001 Cancel After', [beg, 'DTM*001*20240301', n1, po1, pid, po1b, ctt]],
    ['N101 (98) AK party to receive the acknowledgment', [beg, n1, 'N1*AK*Ack Desk*92*ACK1', po1, pid, po1b, ctt]],
    ['BEG01 (353) 03 Delete', ['BEG*03*SA*PO-1**20240101', n1, po1, pid, po1b, ctt]],
    ['BEG02 (92) BE blanket order, estimated quantities', ['BEG*00*BE*PO-1**20240101', n1, po1, pid, po1b, ctt]],
    ['PO103 (355) ML milliliter', [beg, n1, 'PO1*1*2*ML*9.5**VP*ABC-1', pid, po1b, ctt]],
    ['PO106 (235) HC HCPCS code', [beg, n1, 'PO1*1*2*EA*9.5**HC*A4253', pid, po1b, ctt]],
    ['SLN05 (355) ML milliliter', [beg, n1, po1, pid, 'SLN*1**I*1*ML', po1b, ctt]],
  ];

  it.each(lacked)('%s: accepted in 004010 and 005010', (_list, body) => {
    for (const version of ['004010', '005010']) {
      const result = read850(body, 'default', version);
      expect(result.ak).toEqual(['AK2*850*0001', version === '004010' ? 'AK5*A' : 'IK5*A']);
      expect(result.ak9).toBe('AK9*A*1*1*1');
      expect(result.orders).toHaveLength(1);
    }
  });

  it('DTM01 001 and N101 AK in one set: accepted, and the mapping keeps both as data', () => {
    const { orders } = read850([beg, 'DTM*001*20240301', n1, 'N1*AK*Ack Desk*92*ACK1', po1, pid, po1b, ctt]);
    const order = orders[0];
    expect(order?.extras).toMatchObject({ parties: { AK: { name: 'Ack Desk', code: 'ACK1' } }, x12: [['DTM', '001', '20240301']] });
  });

  it('keeps unknown units and product id qualifiers on the line as sent, and an unknown BEG01 as its code', () => {
    const { orders } = read850(['BEG*03*BE*PO-1**20240101', n1, 'PO1*1*2*ML*9.5**HC*A4253*Q9*X-1', pid, po1b, ctt]);
    const order = orders[0];
    expect(order?.extras).toMatchObject({ purposeCode: '03', orderTypeCode: 'BE' });
    expect(order?.lines[0]).toMatchObject({ uom: 'ML', identifiers: { HC: 'A4253', Q9: 'X-1' } });
  });

  it('still refuses what the standard cannot hold: a 4-character N101 (AK4 code 5), an empty N101 (code 1)', () => {
    expect(read850([beg, 'N1*ABCD*Ship Here*92*123', po1, pid, po1b, ctt]).ak).toEqual([
      'AK2*850*0001',
      'AK3*N1*3**8',
      'AK4*1**5*ABCD',
      'AK5*R*5',
    ]);
    expect(read850([beg, 'N1**Ship Here*92*123', po1, pid, po1b, ctt]).ak).toEqual(['AK2*850*0001', 'AK3*N1*3**8', 'AK4*1**1', 'AK5*R*5']);
  });
});

describe("a partner's own guide narrows a list", () => {
  it('is the default guide with N101 narrowed; the other checks stay', () => {
    const own = loadGuide('850-known-parties');
    const base = loadGuide('850');
    expect(own.codeLists).toEqual({ entities: ['BY', 'ST', 'BT'] });
    expect(own.elements.N1?.[0]).toEqual({ ...base.elements.N1?.[0], codes: 'entities' });
    expect({ ...own.elements, N1: base.elements.N1 }).toEqual(base.elements);
    expect(own.areas).toEqual(base.areas);
  });

  it("the partner's map names it: its 850s are checked against it, other sets against their default guide", () => {
    expect(guidesFor('known-parties')('850')).toBe(loadGuide('850-known-parties'));
    expect(guidesFor('known-parties')('837')).toBe(guideFor('837'));
    expect(guidesFor('default')('850')).toBe(loadGuide('850'));
  });

  it.each([
    ['a code in no standard', 'Q!'],
    ['a code the standard defines but the partner does not use', 'AK'],
  ])('%s (N101 %s): AK3 N1 code 8, AK4 1 code 7 with the value', (_what, code) => {
    const body = [beg, `N1*${code}*Somebody*92*123`, po1, pid, po1b, ctt];
    expect(read850(body, 'known-parties')).toEqual({
      orders: [],
      ak: ['AK2*850*0001', 'AK3*N1*3**8', `AK4*1**7*${code}`, 'AK5*R*5'],
      ak9: 'AK9*R*1*1*0',
    });
    // In a 999 the same, as IK3/IK4/IK5.
    expect(read850(body, 'known-parties', '005010').ak).toEqual(['AK2*850*0001', 'IK3*N1*3**8', `IK4*1**7*${code}`, 'IK5*R*5']);
    // The default guide takes it.
    expect(read850(body).orders).toHaveLength(1);
  });

  it('a code in its list is accepted; the length check still comes first (code 5)', () => {
    expect(read850([beg, 'N1*BT*Bill Here*92*99', n1, po1, pid, po1b, ctt], 'known-parties').orders).toHaveLength(1);
    expect(read850([beg, 'N1*ABCD*Somebody', po1, pid, po1b, ctt], 'known-parties').ak).toContain('AK4*1**5*ABCD');
  });

  it('refuses a guide name that could reach outside the guides folder', () => {
    expect(() => loadGuide('../850/default')).toThrow(/letters, digits and dashes/);
  });
});
