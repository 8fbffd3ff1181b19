import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answer, bytes, interchangeSegments, read, text, x12, type GroupSpec } from './fixtures/negative/build.ts';
import { acknowledge } from './respond.ts';

// Envelope rules, answered as a partner sees them: ISA/IEA in a TA1, GS/GE in the AK9, ST/SE in the
// AK5. Each input is the one valid interchange of fixtures/negative/build.ts with one thing changed.

/** The acknowledgment's ISA for our hand-made interchanges: sender and receiver swapped. */
const ackIsa = (version = '00401', usage = 'P') =>
  `ISA*00*${' '.repeat(10)}*00*${' '.repeat(10)}*ZZ*RECEIVER       *ZZ*SENDER         *261127*1234*${version >= '00402' ? '^' : 'U'}*${version}*000000900*0*${usage}*>`;
const ackGs = (control: number, version = '004010') => `GS*FA*RECEIVERAPP*SENDERAPP*20261127*1234*${control}*X*${version}`;

/** The whole 997 answering one group of our hand-made input, with its group control number. */
const ack997 = (groupControl: number, body: string[]) => [
  ackGs(groupControl),
  'ST*997*0001',
  ...body,
  `SE*${body.length + 2}*0001`,
  `GE*1*${groupControl}`,
];

describe('a valid interchange (the base of every case below)', () => {
  it('gets a plain accepting 997, no TA1, and its set is accepted', () => {
    const { outcome, ack, lines } = answer(x12());
    expect(outcome.rejection).toBeUndefined();
    expect(outcome.accepted.map((a) => a.st.elements[1])).toEqual(['0001']);
    expect(ack.kinds).toEqual(['997']);
    expect(lines).toEqual([ackIsa(), ...ack997(70, ['AK1*PO*1', 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1']), 'IEA*1*000000900']);
  });
});

describe('ISA and IEA: the TA1', () => {
  it('ISA14 = 1 asks for a TA1: TA1 A 000 before the 997', () => {
    const { outcome, ack, lines } = answer(x12({ isa: { 14: '1' } }));
    expect(outcome.rejection).toBeUndefined();
    expect(outcome.ackRequested).toBe(true);
    expect(outcome.accepted).toHaveLength(1);
    expect(ack.kinds).toEqual(['TA1', '997']);
    expect(lines.slice(0, 3)).toEqual([ackIsa(), 'TA1*000000001*240101*1200*A*000', ackGs(70)]);
  });

  // [what is wrong, TA105, ISA element, value]
  const broken: [string, string, number, string][] = [
    ['ISA01 not a qualifier', '010', 1, '07'],
    ['ISA02 9 characters', '011', 2, ' '.repeat(9)],
    ['ISA03 not a qualifier', '012', 3, '02'],
    ['ISA04 11 characters', '013', 4, ' '.repeat(11)],
    ['ISA05 one character', '005', 5, 'Z'],
    ['ISA06 14 characters', '006', 6, 'SENDER'.padEnd(14)],
    ['ISA06 blank', '006', 6, ' '.repeat(15)],
    ['ISA07 unknown qualifier', '007', 7, 'QQ'],
    ['ISA08 16 characters', '008', 8, 'RECEIVER'.padEnd(16)],
    ['ISA09 month 13', '014', 9, '241301'],
    ['ISA09 30 February', '014', 9, '240230'],
    ['ISA09 five digits', '014', 9, '24010'],
    ['ISA10 hour 24', '015', 10, '2400'],
    ['ISA12 not a version', '017', 12, '0040'],
    ['ISA13 with a letter', '018', 13, '00000001A'],
    ['ISA13 eight digits', '018', 13, '12345678'],
    ['ISA14 neither 0 nor 1', '019', 14, '2'],
    ['ISA15 neither P, T nor I', '020', 15, 'X'],
  ];
  it.each(broken)('%s: TA1 R %s, nothing else, nothing accepted', (_what, note, element, value) => {
    const { outcome, ack, lines } = answer(x12({ isa: { [element]: value } }));
    expect(outcome.rejection).toBe(note);
    expect(outcome.accepted).toEqual([]);
    expect(ack.kinds).toEqual(['TA1']);
    const isa13 = element === 13 ? value : '000000001';
    const isa09 = element === 9 ? value : '240101';
    const isa10 = element === 10 ? value : '1200';
    expect(lines.slice(1)).toEqual([`TA1*${isa13}*${isa09}*${isa10}*R*${note}`, 'IEA*0*000000900']);
  });

  it('an ISA cut short by the terminator inside ISA02 has too few elements: TA1 R 022', () => {
    const { outcome, lines } = answer(x12({ isa: { 2: '    ~     ' } }));
    expect(outcome.rejection).toBe('022');
    // ISA13, ISA09 and ISA10 are beyond the cut, so the TA1 cannot name them.
    expect(lines[1]).toBe('TA1****R*022');
  });

  it('IEA01 not the number of groups: TA1 R 021, and the 997 rejects the sets it explains', () => {
    const { outcome, ack, lines } = answer(x12({ ieaCount: '2' }));
    expect(outcome.rejection).toBe('021');
    expect(outcome.accepted).toEqual([]);
    expect(ack.kinds).toEqual(['TA1', '997']);
    expect(lines).toEqual([
      ackIsa(),
      'TA1*000000001*240101*1200*R*021',
      ...ack997(70, ['AK1*PO*1', 'AK2*850*0001', 'AK5*R', 'AK9*R*1*1*0']),
      'IEA*1*000000900',
    ]);
  });

  it('IEA01 with a leading zero is the same count', () => {
    const { outcome } = answer(x12({ ieaCount: '01' }));
    expect(outcome.rejection).toBeUndefined();
    expect(outcome.accepted).toHaveLength(1);
  });

  it('IEA02 not ISA13: TA1 R 001', () => {
    const { outcome, lines } = answer(x12({ ieaControl: '000000002' }));
    expect(outcome.rejection).toBe('001');
    expect(outcome.accepted).toEqual([]);
    expect(lines.slice(1, 3)).toEqual(['TA1*000000001*240101*1200*R*001', ackGs(70)]);
    expect(lines).toContain('AK9*R*1*1*0');
  });

  it('IEA missing: TA1 R 023, and still a 997 that explains each set', () => {
    const input = x12({ noIea: true, groups: [{ sets: [{}, { control: '0002', seCount: '3' }] }] });
    const { outcome, ack, lines } = answer(input);
    expect(outcome.rejection).toBe('023');
    expect(outcome.accepted).toEqual([]);
    expect(ack.kinds).toEqual(['TA1', '997']);
    expect(lines).toEqual([
      ackIsa(),
      'TA1*000000001*240101*1200*R*023',
      ...ack997(70, ['AK1*PO*1', 'AK2*850*0001', 'AK5*R', 'AK2*850*0002', 'AK5*R*4', 'AK9*R*2*2*0']),
      'IEA*1*000000900',
    ]);
  });

  it('IEA missing, the pyx12 sample: our 997 is the one pyx12 expects (but for our ISA16 and GS05)', () => {
    const samples = new URL('./fixtures/pyx12/', import.meta.url);
    const { interchanges, unreadable } = read(new Uint8Array(readFileSync(new URL('pyx12-fail_no_IEA.txt', samples))));
    expect(unreadable).toEqual([]);
    expect(interchanges).toHaveLength(1);
    const ack = acknowledge(interchanges[0]!, { interchangeControl: 407011621, groupControl: 17, at: new Date('2004-07-01T16:21:04Z') });
    const ours = ack.text.split('~\n').filter(Boolean);
    const theirs = readFileSync(new URL('pyx12-fail_no_IEA.997.base', samples), 'utf8').split('~\n').filter(Boolean);
    const comparable = (lines: string[]) =>
      lines
        .map((line) => line.split('*'))
        .map((e) => (e[0] === 'ISA' ? e.slice(0, 16) : e[0] === 'GS' ? [...e.slice(0, 5), ...e.slice(6)] : e));
    expect(ours).toHaveLength(theirs.length);
    expect(comparable(ours)).toEqual(comparable(theirs));
  });

  it('a segment between sets that belongs nowhere: TA1 R 024', () => {
    const segments = interchangeSegments({ groups: [{ sets: [{}, { control: '0002' }] }] });
    const secondSt = segments.indexOf('ST*850*0002');
    const input = text([...segments.slice(0, secondSt), 'REF*ZZ*LOST', ...segments.slice(secondSt)]);
    const { outcome, lines } = answer(input);
    expect(outcome.rejection).toBe('024');
    expect(outcome.accepted).toEqual([]);
    expect(lines[1]).toBe('TA1*000000001*240101*1200*R*024');
    expect(lines).toContain('AK9*R*2*2*0');
  });
});

describe('GS and GE: the AK9', () => {
  const group = (spec: GroupSpec) => answer(x12({ groups: [spec] }));

  it('GE01 not the number of sets: AK9 R with 5, the set refused with it', () => {
    const { outcome, lines } = group({ geCount: '2' });
    expect(outcome.rejection).toBeUndefined();
    expect(outcome.accepted).toEqual([]);
    expect(lines).toEqual([ackIsa(), ...ack997(70, ['AK1*PO*1', 'AK2*850*0001', 'AK5*R', 'AK9*R*2*1*0*5']), 'IEA*1*000000900']);
  });

  it('GE01 not a number: AK9 R 5, and AK902 is the count received', () => {
    const { outcome, lines } = group({ geCount: 'X' });
    expect(outcome.accepted).toEqual([]);
    expect(lines).toContain('AK9*R*1*1*0*5');
  });

  it('GE01 with a leading zero is the same count', () => {
    const { outcome, lines } = group({ geCount: '01' });
    expect(outcome.accepted).toHaveLength(1);
    expect(lines).toContain('AK9*A*1*1*1');
  });

  it('GE02 not GS06: AK9 R with 4', () => {
    const { outcome, lines } = group({ geControl: '2' });
    expect(outcome.accepted).toEqual([]);
    expect(ackBody(lines)).toEqual(['AK1*PO*1', 'AK2*850*0001', 'AK5*R', 'AK9*R*1*1*0*4']);
  });

  it('GE missing: AK9 R with 3', () => {
    const { outcome, lines } = group({ noGe: true });
    expect(outcome.rejection).toBeUndefined();
    expect(outcome.accepted).toEqual([]);
    expect(ackBody(lines)).toEqual(['AK1*PO*1', 'AK2*850*0001', 'AK5*R', 'AK9*R*1*1*0*3']);
  });

  it('GE01 and GE02 both wrong: both codes', () => {
    const { lines } = group({ geCount: '3', geControl: '9' });
    expect(lines).toContain('AK9*R*3*1*0*4*5');
  });

  it('GS08 a version we do not take: AK9 R with 2', () => {
    const { outcome, lines } = group({ version: '003040' });
    expect(outcome.accepted).toEqual([]);
    expect(lines).toContain('AK9*R*1*1*0*2');
  });

  it('a partly bad group: AK9 P with the counts, and only the good set accepted', () => {
    const { outcome, lines } = group({ sets: [{ control: '0001' }, { control: '0002', seCount: '7' }, { control: '0003' }] });
    expect(outcome.rejection).toBeUndefined();
    expect(outcome.accepted.map((a) => a.st.elements[1])).toEqual(['0001', '0003']);
    expect(ackBody(lines)).toEqual([
      'AK1*PO*1',
      'AK2*850*0001',
      'AK5*A',
      'AK2*850*0002',
      'AK5*R*4',
      'AK2*850*0003',
      'AK5*A',
      'AK9*P*3*3*2',
    ]);
  });

  it('two groups, one bad: the good group is accepted, the bad one is not', () => {
    const { outcome, ack, lines } = answer(x12({ groups: [{ control: '1', geControl: '5' }, { control: '2' }] }));
    expect(outcome.accepted.map((a) => a.gs.elements[5])).toEqual(['2']);
    expect(ack.groupsUsed).toBe(2);
    expect(lines.filter((l) => l.startsWith('AK1') || l.startsWith('AK9'))).toEqual([
      'AK1*PO*1',
      'AK9*R*1*1*0*4',
      'AK1*PO*2',
      'AK9*A*1*1*1',
    ]);
    expect(lines.filter((l) => l.startsWith('GS') || l.startsWith('GE'))).toEqual([ackGs(70), 'GE*1*70', ackGs(71), 'GE*1*71']);
  });
});

describe('ST and SE: the AK5', () => {
  const set = (spec: Parameters<typeof x12>[0]) => answer(x12(spec));

  it('SE01 not the number of segments: AK5 R 4', () => {
    const { outcome, lines } = set({ groups: [{ sets: [{ seCount: '9' }] }] });
    expect(outcome.accepted).toEqual([]);
    expect(ackBody(lines)).toEqual(['AK1*PO*1', 'AK2*850*0001', 'AK5*R*4', 'AK9*R*1*1*0']);
  });

  it('SE01 with a leading zero is the same count', () => {
    const { outcome } = set({ groups: [{ sets: [{ seCount: '08' }] }] });
    expect(outcome.accepted).toHaveLength(1);
  });

  it('SE02 not ST02: AK5 R 3', () => {
    const { outcome, lines } = set({ groups: [{ sets: [{ seControl: '0002' }] }] });
    expect(outcome.accepted).toEqual([]);
    expect(ackBody(lines)).toEqual(['AK1*PO*1', 'AK2*850*0001', 'AK5*R*3', 'AK9*R*1*1*0']);
  });

  it('SE missing at the end of the group: AK5 R 2', () => {
    const { outcome, lines } = set({ groups: [{ sets: [{ noSe: true }] }] });
    expect(outcome.accepted).toEqual([]);
    expect(ackBody(lines)).toEqual(['AK1*PO*1', 'AK2*850*0001', 'AK5*R*2', 'AK9*R*1*1*0']);
  });

  it('SE missing before the next ST: that set R 2, the next one still accepted', () => {
    const { outcome, lines } = set({ groups: [{ sets: [{ control: '0001', noSe: true }, { control: '0002' }] }] });
    expect(outcome.accepted.map((a) => a.st.elements[1])).toEqual(['0002']);
    expect(ackBody(lines)).toEqual(['AK1*PO*1', 'AK2*850*0001', 'AK5*R*2', 'AK2*850*0002', 'AK5*A', 'AK9*P*2*2*1']);
  });

  it('SE01 and SE02 both wrong: both codes', () => {
    const { lines } = set({ groups: [{ sets: [{ seCount: '2', seControl: '9999' }] }] });
    expect(lines).toContain('AK5*R*3*4');
  });

  it('ST02 too short: AK5 R 7', () => {
    const { lines } = set({ groups: [{ sets: [{ control: '12' }] }] });
    expect(lines).toContain('AK5*R*7');
  });

  it('a set we do not take (an inbound 810): AK5 R 1', () => {
    const { outcome, lines } = set({ groups: [{ functionalId: 'IN', sets: [{ id: '810', body: ['BIG*20240101*INV-1', 'TDS*1000'] }] }] });
    expect(outcome.accepted).toEqual([]);
    expect(ackBody(lines)).toEqual(['AK1*IN*1', 'AK2*810*0001', 'AK5*R*1', 'AK9*R*1*1*0']);
  });
});

describe('997 for 004010, 999 for 005010', () => {
  const badBeg = ['BEG*999*SA*PO-1**20240101', 'PO1*1*2*EA*9.5**VP*ABC-1', 'CTT*1'];

  it('a 004010 group gets a 997: AK1 of two elements, AK3, AK4, AK5', () => {
    const { ack, lines } = answer(x12({ groups: [{ sets: [{ body: badBeg }] }] }));
    expect(ack.kinds).toEqual(['997']);
    expect(lines).toEqual([
      ackIsa(),
      ...ack997(70, ['AK1*PO*1', 'AK2*850*0001', 'AK3*BEG*2**8', 'AK4*1**5*999', 'AK5*R*5', 'AK9*R*1*1*0']),
      'IEA*1*000000900',
    ]);
  });

  it('a 005010 group gets a 999: AK1 with GS08, AK2 with ST03, IK3, IK4, IK5', () => {
    const input = x12({ isa: { 12: '00501' }, groups: [{ version: '005010X220A1', sets: [{ st03: '005010X220A1', body: badBeg }] }] });
    const { ack, lines } = answer(input);
    expect(ack.kinds).toEqual(['999']);
    expect(lines).toEqual([
      ackIsa('00501'),
      ackGs(70, '005010X231A1'),
      'ST*999*0001*005010X231A1',
      'AK1*PO*1*005010X220A1',
      'AK2*850*0001*005010X220A1',
      'IK3*BEG*2**8',
      'IK4*1**5*999',
      'IK5*R*5',
      'AK9*R*1*1*0',
      'SE*8*0001',
      'GE*1*70',
      'IEA*1*000000900',
    ]);
  });

  it('a 005010 group without errors: IK5 A, AK9 A, the set accepted', () => {
    const { outcome, lines } = answer(x12({ isa: { 12: '00501' }, groups: [{ version: '005010' }] }));
    expect(outcome.accepted).toHaveLength(1);
    expect(ackBody(lines)).toEqual(['AK1*PO*1*005010', 'AK2*850*0001', 'IK5*A', 'AK9*A*1*1*1']);
  });

  it('one interchange with a 004010 and a 005010 group: a 997 and a 999, each in its own group', () => {
    const input = x12({
      isa: { 12: '00501' },
      groups: [
        { control: '11', sets: [{ seCount: '3' }] },
        { control: '12', version: '005010', sets: [{ seCount: '3' }] },
      ],
    });
    const { outcome, ack, lines } = answer(input);
    expect(outcome.accepted).toEqual([]);
    expect(ack.kinds).toEqual(['997', '999']);
    expect(ack.groupsUsed).toBe(2);
    expect(lines.slice(1, -1)).toEqual([
      ackGs(70),
      'ST*997*0001',
      'AK1*PO*11',
      'AK2*850*0001',
      'AK5*R*4',
      'AK9*R*1*1*0',
      'SE*6*0001',
      'GE*1*70',
      ackGs(71, '005010X231A1'),
      'ST*999*0001*005010X231A1',
      'AK1*PO*12*005010',
      'AK2*850*0001',
      'IK5*R*4',
      'AK9*R*1*1*0',
      'SE*6*0001',
      'GE*1*71',
    ]);
    expect(lines.at(-1)).toBe('IEA*2*000000900');
  });
});

describe('what is not an interchange', () => {
  it('garbage before and after an interchange is reported, and the interchange is still answered', () => {
    const before = '\xc9\xe2\xc1\xf0\xf0 EBCDIC\n';
    const { interchanges, unreadable } = read(bytes(`${before}${x12()}IEA*1*000000001~\n`));
    expect(unreadable.map((u) => [u.offset, u.reason])).toEqual([
      [0, 'expected an interchange to start with ISA'],
      [before.length + x12().length, 'expected an interchange to start with ISA'],
    ]);
    expect(interchanges.map((o) => [o.rejection, o.accepted.length])).toEqual([[undefined, 1]]);
  });
});

/** The 997/999 body of an acknowledgment with one group: from AK1 to AK9. */
function ackBody(lines: string[]): string[] {
  const st = lines.findIndex((l) => l.startsWith('ST*'));
  const se = lines.findIndex((l) => l.startsWith('SE*'));
  return lines.slice(st + 1, se);
}
