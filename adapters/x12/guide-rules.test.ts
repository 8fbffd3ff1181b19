import { describe, expect, it } from 'vitest';
import { answer, body850, x12 } from './fixtures/negative/build.ts';

// The 850 guide (mappings/x12/guides/850.json) answered in a 997: AK3 names the segment by its tag
// and its position counted from ST = 1, AK4 the element by its position, with a copy of the value.
// The base body is BEG (2), N1 (3), PO1 (4), PID (5), PO1 (6), CTT (7); each case changes it once.

const [beg, n1, po1, pid, po1b, ctt] = body850() as [string, string, string, string, string, string];

/** The AK2 to AK5 lines for a single 850 with this body, and whether it was accepted. */
function findings(body: string[]) {
  const { outcome, lines } = answer(x12({ groups: [{ sets: [{ body }] }] }));
  const ak = lines.filter((l) => /^AK[2345]\*/.test(l));
  return { accepted: outcome.accepted.length, ak, ak9: lines.find((l) => l.startsWith('AK9*')) };
}

/** A set refused for its segments: AK2, the given AK3/AK4 lines, AK5 R 5. */
const refused = (...errors: string[]) => ['AK2*850*0001', ...errors, 'AK5*R*5'];

describe('the base body', () => {
  it('is accepted with nothing to say', () => {
    expect(findings([beg, n1, po1, pid, po1b, ctt])).toEqual({ accepted: 1, ak: ['AK2*850*0001', 'AK5*A'], ak9: 'AK9*A*1*1*1' });
  });

  it('a priced bundle (PO1 with SLN I components) is accepted too', () => {
    expect(findings([beg, n1, po1, pid, 'SLN*1**I*1*EA', 'SLN*2**I*1*EA', po1b, ctt]).accepted).toBe(1);
  });
});

describe('segments: AK3', () => {
  it('BEG missing: AK3 BEG at 1 (ST, the last segment before it), code 3', () => {
    expect(findings([n1, po1, pid, po1b, ctt])).toEqual({ accepted: 0, ak: refused('AK3*BEG*1**3'), ak9: 'AK9*R*1*1*0' });
  });

  it('BEG not first: AK3 BEG at its own position, code 7 (out of sequence), not "missing"', () => {
    expect(findings([n1, beg, po1, pid, po1b, ctt]).ak).toEqual(refused('AK3*BEG*3**7'));
  });

  it('BEG among the lines: AK3 BEG code 7 once', () => {
    expect(findings([n1, po1, beg, pid, po1b, ctt]).ak).toEqual(refused('AK3*BEG*4**7'));
  });

  it('BEG twice: the second one, code 5 (over its maximum use)', () => {
    expect(findings([beg, beg, n1, po1, pid, po1b, ctt]).ak).toEqual(refused('AK3*BEG*3**5'));
  });

  it('PO1 missing: AK3 PO1 code 3 at the last segment before the summary', () => {
    expect(findings([beg, n1, 'CTT*0']).ak).toEqual(refused('AK3*PO1*3**3'));
  });

  it('PO1 missing and no summary: at the last segment read', () => {
    expect(findings([beg, n1, pid]).ak).toEqual(refused('AK3*PO1*4**3'));
  });

  it('BEG and PO1 both missing in an empty set: both at 1', () => {
    expect(findings([]).ak).toEqual(refused('AK3*BEG*1**3', 'AK3*PO1*1**3'));
  });

  it('PO1 after CTT: AK3 PO1 code 7', () => {
    expect(findings([beg, n1, po1, 'CTT*2', po1b]).ak).toEqual(refused('AK3*PO1*6**7'));
  });

  it('a heading segment among the lines is fine where the detail allows it (REF), out of sequence where not (CUR after CTT)', () => {
    expect(findings([beg, n1, po1, 'REF*ZZ*LINE NOTE', pid, po1b, ctt]).accepted).toBe(1);
    expect(findings([beg, n1, po1, pid, po1b, ctt, 'CUR*BY*USD']).ak).toEqual(refused('AK3*CUR*8**7'));
  });

  it('a segment id the 850 does not have: code 6', () => {
    expect(findings([beg, 'ZZZ*1', n1, po1, pid, po1b, ctt]).ak).toEqual(refused('AK3*ZZZ*3**6'));
    expect(findings([beg, n1, po1, 'BSN*00*X*20240101', pid, po1b, ctt]).ak).toEqual(refused('AK3*BSN*5**6'));
  });

  it.each(['X', '12', 'beg', 'ABCD'])('a tag that is no segment id (%s): code 1', (tag) => {
    // AK301 holds 2-3 characters, so a longer tag is cut to fit.
    expect(findings([beg, n1, `${tag}*1`, po1, pid, po1b, ctt]).ak).toEqual(refused(`AK3*${tag.slice(0, 3)}*4**1`));
  });

  it('several findings come in the order of the segments', () => {
    expect(findings([n1, 'ZZZ*1', beg, po1, pid, po1b, ctt, 'PO1*3*1*EA']).ak).toEqual(
      refused('AK3*ZZZ*3**6', 'AK3*BEG*4**7', 'AK3*CTT*8**8', 'AK4*1**7*2', 'AK3*PO1*9**7'),
    );
  });
});

describe('elements: AK3 code 8 and AK4', () => {
  const cases: [what: string, body: string[], ak3: string, ak4: string[]][] = [
    ['BEG05 not a date (20231345)', ['BEG*00*SA*PO-1**20231345', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*5**8*20231345']],
    ['BEG05 30 February', ['BEG*00*SA*PO-1**20240230', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*5**8*20240230']],
    ['BEG05 too short (YYMMDD)', ['BEG*00*SA*PO-1**240101', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*5**4*240101']],
    [
      'BEG03 too long (23 > 22)',
      [`BEG*00*SA*${'P'.repeat(23)}**20240101`, n1, po1, pid, po1b, ctt],
      'AK3*BEG*2**8',
      [`AK4*3**5*${'P'.repeat(23)}`],
    ],
    ['BEG03 missing', ['BEG*00*SA***20240101', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*3**1']],
    ['BEG05 missing (trailing elements dropped)', ['BEG*00*SA*PO-1', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*5**1']],
    ['BEG03 with a control character', ['BEG*00*SA*PO\x01-1**20240101', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*3**6']],
    ['PO102 not numeric', [beg, n1, 'PO1*1*2X*EA*9.5**VP*ABC-1', pid, po1b, ctt], 'AK3*PO1*4**8', ['AK4*2**6*2X']],
    ['PO102 missing', [beg, n1, 'PO1*1**EA*9.5**VP*ABC-1', pid, po1b, ctt], 'AK3*PO1*4**8', ['AK4*2**1']],
    [
      'PO102 too long (16 digits)',
      [beg, n1, `PO1*1*${'1'.repeat(16)}*EA*9.5**VP*ABC-1`, pid, po1b, ctt],
      'AK3*PO1*4**8',
      [`AK4*2**5*${'1'.repeat(16)}`],
    ],
    ['PO104 not numeric', [beg, n1, 'PO1*1*2*EA*9,50**VP*ABC-1', pid, po1b, ctt], 'AK3*PO1*4**8', ['AK4*4**6*9,50']],
    ['BEG01 too short', ['BEG*0*SA*PO-1**20240101', n1, po1, pid, po1b, ctt], 'AK3*BEG*2**8', ['AK4*1**4*0']],
    ['N101 too long (4 > 3)', [beg, 'N1*ABCD*Ship Here*92*123', po1, pid, po1b, ctt], 'AK3*N1*3**8', ['AK4*1**5*ABCD']],
    ['PO103 too long (3 > 2)', [beg, n1, 'PO1*1*2*EAX*9.5**VP*ABC-1', pid, po1b, ctt], 'AK3*PO1*4**8', ['AK4*3**5*EAX']],
    ['second PO1, PO108 too short', [beg, n1, po1, pid, 'PO1*2*1*EA*3**VP*DEF-2*Q*X', ctt], 'AK3*PO1*6**8', ['AK4*8**4*Q']],
    ['SLN03 too long', [beg, n1, po1, pid, 'SLN*1**II*1*EA', po1b, ctt], 'AK3*SLN*6**8', ['AK4*3**5*II']],
    ['DTM01 too short', [beg, 'DTM*01*20240105', n1, po1, pid, po1b, ctt], 'AK3*DTM*3**8', ['AK4*1**4*01']],
    ['SLN01 missing', [beg, n1, po1, pid, 'SLN***I*1*EA', po1b, ctt], 'AK3*SLN*6**8', ['AK4*1**1']],
    ['DTM03 not a time', [beg, 'DTM*002*20240105*2561', n1, po1, pid, po1b, ctt], 'AK3*DTM*3**8', ['AK4*3**9*2561']],
    ['CTT01 not the number of PO1', [beg, n1, po1, pid, po1b, 'CTT*3'], 'AK3*CTT*7**8', ['AK4*1**7*3']],
    ['CTT01 not a number', [beg, n1, po1, pid, po1b, 'CTT*X'], 'AK3*CTT*7**8', ['AK4*1**6*X']],
    [
      'several elements of one segment, in element order',
      ['BEG*999*SA***20231345', n1, po1, pid, po1b, ctt],
      'AK3*BEG*2**8',
      ['AK4*1**5*999', 'AK4*3**1', 'AK4*5**8*20231345'],
    ],
  ];

  it.each(cases)('%s', (_what, body, ak3, ak4) => {
    const result = findings(body);
    expect(result.accepted).toBe(0);
    expect(result.ak).toEqual(refused(ak3, ...ak4));
    expect(result.ak9).toBe('AK9*R*1*1*0');
  });

  it('CTT01 with a leading zero counts the same', () => {
    expect(findings([beg, n1, po1, pid, po1b, 'CTT*02']).accepted).toBe(1);
  });

  it('a value longer than 99 characters is copied into AK404 cut at 99', () => {
    const long = `N1*ST*${'N'.repeat(120)}`;
    expect(findings([beg, long, po1, pid, po1b, ctt]).ak).toEqual(refused('AK3*N1*3**8', `AK4*2**5*${'N'.repeat(99)}`));
  });
});

describe('only the bad set of a group is refused', () => {
  it('two sets, one with a bad BEG05: AK9 P 2 2 1, the good one accepted', () => {
    const input = x12({
      groups: [{ sets: [{ control: '0001' }, { control: '0002', body: ['BEG*00*SA*PO-2**20231345', n1, po1, ctt.replace('2', '1')] }] }],
    });
    const { outcome, lines } = answer(input);
    expect(outcome.accepted.map((a) => a.st.elements[1])).toEqual(['0001']);
    expect(lines.filter((l) => /^AK[2-59]\*/.test(l))).toEqual([
      'AK2*850*0001',
      'AK5*A',
      'AK2*850*0002',
      'AK3*BEG*2**8',
      'AK4*5**8*20231345',
      'AK5*R*5',
      'AK9*P*2*2*1',
    ]);
  });
});
