import { describe, expect, it } from 'vitest';
import { checkCxmlAnswers, checkPartnerView, checkX12Answers, tokenizeX12 } from './partner-checker.ts';
import { ssccCheckDigit } from './partner-x12.ts';

// The checker on documents written here by hand, from the standards: a right exchange passes, and
// each rule fires on a document that breaks it (and only that rule).

/** An interchange of one set, SE01 counted unless given; `~` ends segments, `*` separates elements. */
function x12(
  type: string,
  body: string[],
  { se01, separator = '*', terminator = '~\n' } = {} as { se01?: number; separator?: string; terminator?: string },
) {
  const functional = { '850': 'PO', '855': 'PR', '856': 'SH', '810': 'IN' }[type] ?? 'XX';
  const segments = [
    'ISA*00*          *00*          *ZZ*ORDERGATE      *ZZ*ACME           *261128*0930*U*00401*000000042*0*T*>',
    `GS*${functional}*ORDERGATE*ACME*20261128*0930*42*X*004010`,
    `ST*${type}*0001`,
    ...body,
    `SE*${se01 ?? body.length + 2}*0001`,
    'GE*1*42',
    'IEA*1*000000042',
  ];
  return segments.map((s) => s.replaceAll('*', separator)).join(terminator) + terminator;
}

const order850 = x12('850', [
  'BEG*00*SA*PO-7001**20261127',
  'PO1*1*6*EA*49.5**VN*MODEM-X1',
  'PO1*2*1*EA*59.99**VN*INTERNET-100',
  'SLN*1**I*1*EA****VN*MODEM-X1',
  'SLN*2**I*1*EA****VN*PORT-ACT',
  'PO1*3*10*EA*4.5**VN*CABLE',
  'CTT*3',
]);

// Line 1: 4 accepted, 2 backordered. The bundle (line 2, SLNs 1 and 2) accepted. Line 3: 8 at a changed quantity, 2 rejected.
const ack855 = [
  'BAK*00*AC*PO-7001*20261127',
  'PO1*1*6*EA*49.5**VN*MODEM-X1',
  'ACK*IA*4*EA',
  'ACK*IB*2*EA*068*20261208',
  'PO1*2*1*EA*59.99**VN*INTERNET-100',
  'ACK*IA*1*EA',
  'SLN*1**I*1*EA****VN*MODEM-X1',
  'ACK*IA*1*EA',
  'SLN*2**I*1*EA****VN*PORT-ACT',
  'ACK*IA*1*EA',
  'PO1*3*10*EA*4.5**VN*CABLE',
  'ACK*IQ*8*EA',
  'ACK*IR*2*EA',
  'N9*L1*3',
  'MSG*discontinued',
  'CTT*3',
];

const ship856 = (id: string, items: [string, number][], sscc = '00006141410000047116') => [
  `BSN*00*${id}*20261201*1645*0001`,
  'HL*1**S*1',
  'TD5**2*UPSN',
  'HL*2*1*O*1',
  'PRF*PO-7001***20261127',
  'HL*3*2*P*1',
  `MAN*GM*${sscc}`,
  ...items.flatMap(([line, quantity], i) => [`HL*${4 + i}*3*I*0`, `LIN*${line}*VN*X`, `SN1**${quantity}*EA`]),
  `CTT*${3 + items.length}`,
];
const firstShipment = ship856('SH-1', [
  ['1', 4],
  ['2.1', 1],
  ['2.2', 1],
  ['3', 8],
]);
const backorderShipment = ship856('SH-2', [['1', 2]], '00006141410000047123');

// 6 × 49.50 + 1 × 59.99 + 8 × 4.50 = 392.99
const invoice810 = [
  'BIG*20261210*INV-7001*20261127*PO-7001',
  'IT1*1*6*EA*49.5**VN*MODEM-X1',
  'IT1*2*1*EA*59.99**VN*INTERNET-100',
  'IT1*3*8*EA*4.5**VN*CABLE',
  'TDS*39299',
  'CTT*3',
];

/** The right exchange, with one body replaced. */
function exchange(changes: { ack?: string[]; first?: string[]; second?: string[]; invoice?: string[] } = {}): string[] {
  return [
    x12('855', changes.ack ?? ack855),
    x12('856', changes.first ?? firstShipment),
    x12('856', changes.second ?? backorderShipment),
    x12('810', changes.invoice ?? invoice810),
  ];
}

/** `body` with the segment `from` (exactly one) replaced by `to` (none, one or several). */
function edit(body: string[], from: string, ...to: string[]): string[] {
  const at = body.indexOf(from);
  if (at === -1 || body.indexOf(from, at + 1) !== -1) throw new Error(`not exactly one ${from}`);
  return [...body.slice(0, at), ...to, ...body.slice(at + 1)];
}

/** The findings: exactly one, matching. */
const only = (findings: string[], pattern: RegExp) => {
  expect(findings, findings.join('\n')).toHaveLength(1);
  expect(findings[0]).toMatch(pattern);
};

describe('the partner checker, X12', () => {
  it('tokenizes with the ISA own delimiters, whatever they are', () => {
    const text = x12('855', ack855, { separator: '|', terminator: "'\r\n" }).replace('>', '^');
    const [set] = tokenizeX12(text);
    expect(set?.type).toBe('855');
    expect(set?.segments[3]).toEqual(['ACK', 'IA', '4', 'EA']);
    expect(checkX12Answers(order850.replaceAll('*', '|'), [text])).toEqual([]);
    // Several interchanges in one text are read one after the other.
    expect(checkX12Answers(order850, [exchange().join('')])).toEqual([]);
    only(checkX12Answers(order850, [[...exchange()].reverse().join('')]).slice(0, 1), /810 0001: sent before any 855/);
    // The same interchange on one line, ~ right after ~.
    expect(checkX12Answers(order850, [x12('855', ack855, { terminator: '~' })])).toEqual([]);
  });

  it('finds nothing wrong in a right exchange: portions, a second shipment for the backorder, the invoice', () => {
    expect(checkX12Answers(order850, exchange())).toEqual([]);
    expect(checkPartnerView(order850, exchange())).toEqual([]);
  });

  it('855: every ordered PO1 answered once, echoing the 850', () => {
    const without3 = ack855.filter((s) => !/^(PO1\*3|ACK\*IQ|ACK\*IR|N9|MSG)/.test(s));
    only(checkX12Answers(order850, [x12('855', edit(without3, 'CTT*3', 'CTT*2'))]), /PO1 3 of the 850 is answered 0 times/);
    // Answered twice, its ACKs add up to twice the quantity too.
    const twice = checkX12Answers(order850, [x12('855', edit(ack855, 'CTT*3', 'PO1*3*10*EA*4.5**VN*CABLE', 'ACK*IA*10*EA', 'CTT*4'))]);
    expect(twice).toEqual([
      expect.stringMatching(/PO1 3 of the 850 is answered 2 times/),
      expect.stringMatching(/PO1 3: the ACK02 quantities add up to 20/),
    ]);
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'PO1*3*10*EA*4.5**VN*CABLE', 'PO1*3*8*EA*4.5**VN*CABLE'))]),
      /PO1 3: PO102 8 is not the ordered 10/,
    );
    only(checkX12Answers(order850, [x12('855', edit(ack855, 'PO1*3*10*EA*4.5**VN*CABLE', 'PO1*3*10*BX*4.5**VN*CABLE'))]), /PO103 BX/);
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'PO1*3*10*EA*4.5**VN*CABLE', 'PO1*3*10*EA*4.95**VN*CABLE'))]),
      /PO104 4.95 is not the ordered 4.5/,
    );
    // The same price written another way is the same price.
    expect(checkX12Answers(order850, [x12('855', edit(ack855, 'PO1*3*10*EA*4.5**VN*CABLE', 'PO1*3*10*EA*4.50**VN*CABLE'))])).toEqual([]);
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'CTT*3', 'PO1*9*1*EA*1', 'ACK*IA*1*EA', 'CTT*4'))]),
      /PO1 9 answers no PO1 of the 850/,
    );
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'SLN*2**I*1*EA****VN*PORT-ACT', 'SLN*7**I*1*EA****VN*PORT-ACT'))]).filter(
        (f) => !/SLN 2\.2/.test(f),
      ),
      /SLN 7 under PO1 2 answers no SLN/,
    );
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'SLN*2**I*1*EA****VN*PORT-ACT', 'SLN*2**I*2*EA****VN*PORT-ACT'))]),
      /SLN 2.2: SLN04 2 is not the ordered 1/,
    );
  });

  it('855: the ACK quantities of each PO1 and SLN add up to what was ordered', () => {
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IB*2*EA*068*20261208', 'ACK*IB*1*EA*068*20261208'))]),
      /PO1 1: the ACK02 quantities add up to 5, the ordered quantity is 6/,
    );
    // A portion per line is not enough: the SLN's own.
    const sln = ack855.slice();
    sln[7] = 'ACK*IA*2*EA';
    only(checkX12Answers(order850, [x12('855', sln)]), /SLN 2.1: the ACK02 quantities add up to 2, the ordered quantity is 1/);
    only(checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IR*2*EA', 'ACK*IR**EA'))]).slice(0, 1), /ACK IR has no quantity/);
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IR*2*EA', 'ACK*IR*2*BX'))]).slice(0, 1),
      /ACK IR counts in BX, the line in EA/,
    );
  });

  it('855: each SLN answered, every line has its ACKs, ACKs follow their line, SE02 repeats ST02', () => {
    // Dropping SLN 2 leaves its ACK to SLN 1: the 850's SLN 2 unanswered, SLN 1 acknowledged twice over.
    expect(checkX12Answers(order850, [x12('855', edit(ack855, 'SLN*2**I*1*EA****VN*PORT-ACT'))])).toEqual([
      expect.stringMatching(/SLN 2.1: the ACK02 quantities add up to 2/),
      expect.stringMatching(/SLN 2.2 of the 850 is answered 0 times, not once/),
    ]);
    const noAck = ack855.filter((_, i) => i !== 5);
    only(checkX12Answers(order850, [x12('855', noAck)]), /PO1 2 has no ACK/);
    only(checkX12Answers(order850, [x12('855', ['ACK*IA*1*EA', ...ack855])]).slice(0, 1), /an ACK before any PO1/);
    only(checkX12Answers(order850, [x12('855', ack855).replace('SE*18*0001', 'SE*18*0002')]), /SE02 0002 is not ST02 0001/);
  });

  it('855: ACK01 from code list 668; a backorder and a rescheduled date carry the date', () => {
    only(checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IQ*8*EA', 'ACK*QQ*8*EA'))]), /ACK01 QQ is not a 668/);
    only(checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IB*2*EA*068*20261208', 'ACK*IB*2*EA'))]), /ACK IB carries no date/);
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IB*2*EA*068*20261208', 'ACK*IB*2*EA*068*20261308'))]),
      /ACK IB carries no date/,
    );
    only(checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IQ*8*EA', 'ACK*DR*8*EA'))]), /ACK DR carries no date/);
    expect(checkX12Answers(order850, [x12('855', edit(ack855, 'ACK*IQ*8*EA', 'ACK*DR*8*EA*068*20261215'))])).toEqual([]);
  });

  it('855: BAK02 says how the order was taken, BAK03 which order, CTT01 and SE01 count', () => {
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'BAK*00*AC*PO-7001*20261127', 'BAK*00*AD*PO-7001*20261127'))]),
      /BAK02 AD does not fit ACKs IA IB IQ IR \(expected AC\)/,
    );
    const allAccepted = [
      'BAK*00*AD*PO-7001*20261127',
      'PO1*1*6*EA*49.5',
      'ACK*IA*6*EA',
      'PO1*2*1*EA*59.99',
      'ACK*IA*1*EA',
      'SLN*1**I*1*EA',
      'ACK*IA*1*EA',
      'SLN*2**I*1*EA',
      'ACK*IA*1*EA',
      'PO1*3*10*EA*4.5',
      'ACK*IA*10*EA',
      'CTT*3',
    ];
    expect(checkX12Answers(order850, [x12('855', allAccepted)])).toEqual([]);
    only(
      checkX12Answers(order850, [x12('855', edit(allAccepted, 'BAK*00*AD*PO-7001*20261127', 'BAK*00*AC*PO-7001*20261127'))]),
      /BAK02 AC does not fit ACKs IA \(expected AD\)/,
    );
    const allRejected = allAccepted.map((s) => s.replace('ACK*IA', 'ACK*IR')).map((s) => s.replace('BAK*00*AD', 'BAK*00*RD'));
    expect(checkX12Answers(order850, [x12('855', allRejected)])).toEqual([]);
    expect(checkX12Answers(order850, [x12('855', edit(allRejected, 'BAK*00*RD*PO-7001*20261127', 'BAK*00*RJ*PO-7001*20261127'))])).toEqual(
      [],
    );
    only(
      checkX12Answers(order850, [x12('855', edit(allRejected, 'BAK*00*RD*PO-7001*20261127', 'BAK*00*AC*PO-7001*20261127'))]),
      /expected RD or RJ/,
    );
    only(
      checkX12Answers(order850, [x12('855', edit(ack855, 'BAK*00*AC*PO-7001*20261127', 'BAK*00*AC*PO-7002*20261127'))]),
      /BAK03 PO-7002 is not the 850's BEG03 PO-7001/,
    );
    only(checkX12Answers(order850, [x12('855', edit(ack855, 'CTT*3', 'CTT*5'))]), /CTT01 5, but the set has 3 PO1/);
    only(checkX12Answers(order850, [x12('855', ack855, { se01: 17 })]), /SE01 17, but the set has 18 segments/);
  });

  it('856: shipped, over every 856, no more than the 855 lets ship; after the 855', () => {
    // The two backordered modems ship in the first shipment and again in the second: 8 of the 6 due.
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'SN1**4*EA', 'SN1**6*EA') })),
      /answer 3, 856 0001: line 1: 8 shipped so far, more than the 6 the 855 lets ship/,
    );
    // The rejected cables ship.
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'SN1**8*EA', 'SN1**10*EA') })),
      /line 3: 10 shipped so far, more than the 8/,
    );
    only(checkX12Answers(order850, [x12('856', firstShipment)]), /answer 1, 856 0001: sent before any 855/);
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'PRF*PO-7001***20261127', 'PRF*PO-7002***20261127') })),
      /PRF01 PO-7002/,
    );
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'LIN*2.2*VN*X', 'LIN*2.9*VN*X') })),
      /SN1 of LIN01 2.9, which names no line/,
    );
    only(
      checkX12Answers(order850, exchange({ second: edit(backorderShipment, 'SN1**2*EA', 'SN1**2*BX') })),
      /line 1: SN103 BX is not the ordered unit EA/,
    );
  });

  it('856: the HL tree holds together', () => {
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'HL*5*3*I*0', 'HL*5*9*I*0') })),
      /HL 5 names parent 9, not an HL before it/,
    );
    only(
      checkX12Answers(order850, exchange({ first: edit(edit(firstShipment, 'HL*4*3*I*0', 'HL*4*3*I*1'), 'HL*5*3*I*0', 'HL*5*4*I*0') })),
      /HL 5 \(level I\) cannot sit under HL 4 \(level I\)/,
    );
    only(checkX12Answers(order850, exchange({ first: edit(firstShipment, 'HL*5*3*I*0', 'HL*4*3*I*0') })), /HL01 4 is used twice/);
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'HL*1**S*1', 'HL*1*2*S*1') })),
      /the first HL \(1\) names a parent/,
    );
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'HL*5*3*I*0', 'HL*5*3*I*1') })),
      /HL 5 says HL04 1, but no level sits under it/,
    );
    only(checkX12Answers(order850, exchange({ second: edit(backorderShipment, 'HL*4*3*I*0', 'HL*4*3*X*0') })), /HL03 X is not a level/);
    only(checkX12Answers(order850, exchange({ second: edit(backorderShipment, 'LIN*1*VN*X') })), /SN1 of an item with no LIN/);
    only(
      checkX12Answers(order850, exchange({ first: edit(firstShipment, 'HL*3*2*P*1', 'HL*3*2*P*0') })),
      /HL 3 says HL04 0, but 4 levels sit under it/,
    );
  });

  it('856: MAN GM is 00 and an SSCC-18 with its GS1 check digit', () => {
    // GS1's own example: (00) 1 0614141 123456789 7.
    expect(ssccCheckDigit('10614141123456789')).toBe(7);
    expect(checkX12Answers(order850, exchange({ second: ship856('SH-2', [['1', 2]], '00106141411234567897') }))).toEqual([]);
    only(checkX12Answers(order850, exchange({ second: ship856('SH-2', [['1', 2]], '00106141411234567891') })), /check digit should be 7/);
    only(checkX12Answers(order850, exchange({ second: ship856('SH-2', [['1', 2]], '0010614141123456789') })), /is not 00 and 18 digits/);
    only(checkX12Answers(order850, exchange({ second: ship856('SH-2', [['1', 2]], '01106141411234567897') })), /is not 00 and 18 digits/);
  });

  it('810: invoiced no more than may ship, TDS01 the sum in cents, about the order', () => {
    only(
      checkX12Answers(
        order850,
        exchange({ invoice: edit(edit(invoice810, 'IT1*3*8*EA*4.5**VN*CABLE', 'IT1*3*10*EA*4.5**VN*CABLE'), 'TDS*39299', 'TDS*40199') }),
      ),
      /810 0001: line 3: 10 invoiced so far, more than the 8 the 855 lets ship/,
    );
    only(
      checkX12Answers(order850, exchange({ invoice: edit(invoice810, 'TDS*39299', 'TDS*392.99') })),
      /TDS01 392.99 is not the sum of IT102 × IT104 in cents, 39299/,
    );
    only(checkX12Answers(order850, exchange({ invoice: edit(invoice810, 'TDS*39299', 'TDS*39300') })), /TDS01 39300/);
    only(
      checkX12Answers(
        order850,
        exchange({ invoice: edit(invoice810, 'BIG*20261210*INV-7001*20261127*PO-7001', 'BIG*20261210*INV-7001*20261127*PO-1') }),
      ),
      /BIG04 PO-1/,
    );
    only(checkX12Answers(order850, exchange({ invoice: edit(invoice810, 'CTT*3', 'CTT*2') })), /CTT01 2, but the set has 3 IT1/);
    only(
      checkX12Answers(order850, exchange({ invoice: edit(invoice810, 'IT1*3*8*EA*4.5**VN*CABLE', 'IT1*4*8*EA*4.5**VN*CABLE') })),
      /IT1 4 names no line of the 850/,
    );
    only(checkX12Answers(order850, [x12('850', ['BEG*00*SA*PO-7001**20261127'])]), /850 0001: not an answer to an 850/);
    only(checkX12Answers(order850, [x12('810', invoice810)]), /810 0001: sent before any 855/);
  });
});

const orderRequest = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="1700000000.4711@buyer.example" timestamp="2026-11-27T10:15:00-05:00">
  <Header><From><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>AN09</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>AN01</Identity></Credential><UserAgent>Buyer</UserAgent></Sender></Header>
  <Request>
    <OrderRequest>
      <OrderRequestHeader orderID="PO-9001" orderDate="2026-11-27T10:14:00-05:00" type="new"><Total><Money currency="USD">1</Money></Total></OrderRequestHeader>
      <ItemOut quantity="6" lineNumber="1"><ItemID><SupplierPartID>MODEM-X1</SupplierPartID></ItemID></ItemOut>
      <ItemOut quantity="1" lineNumber="2" itemType="composite"><ItemID><SupplierPartID>INTERNET-100</SupplierPartID></ItemID></ItemOut>
      <ItemOut quantity="1" lineNumber="3" parentLineNumber="2" itemType="item"><ItemID><SupplierPartID>MODEM-X1</SupplierPartID></ItemID></ItemOut>
      <ItemOut quantity="10" lineNumber="4"><ItemID><SupplierPartID>CABLE</SupplierPartID></ItemID></ItemOut>
    </OrderRequest>
  </Request>
</cXML>`;

const cxml = (request: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/Fulfill.dtd">
<cXML payloadID="1795685400000.1@ordergate" timestamp="2026-11-28T09:30:00+00:00">
  <Header><From><Credential domain="NetworkID"><Identity>AN09</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>AN09</Identity></Credential><UserAgent>ordergate</UserAgent></Sender></Header>
  <Request>${request}</Request>
</cXML>`;

const reference = '<OrderReference orderID="PO-9001"><DocumentReference payloadID="1700000000.4711@buyer.example"/></OrderReference>';
const status = (type: string, quantity: number, extra = '') =>
  `<ConfirmationStatus quantity="${quantity}" type="${type}"${extra}><UnitOfMeasure>EA</UnitOfMeasure></ConfirmationStatus>`;
const item = (line: number, quantity: number, ...statuses: string[]) =>
  `<ConfirmationItem quantity="${quantity}" lineNumber="${line}"><UnitOfMeasure>EA</UnitOfMeasure>${statuses.join('')}</ConfirmationItem>`;
const confirmation = (type: string, items: string[], ref = reference) =>
  cxml(
    `<ConfirmationRequest><ConfirmationHeader type="${type}" noticeDate="2026-11-28T09:30:00+00:00"/>${ref}${items.join('')}</ConfirmationRequest>`,
  );

const confirmedItems = [
  item(1, 6, status('accept', 4), status('backordered', 2, ' deliveryDate="2026-12-08T00:00:00+00:00"')),
  item(2, 1, status('accept', 1)),
  item(3, 1, status('accept', 1)),
  item(4, 10, status('detail', 8), status('reject', 2)),
];
/** Node 20 has no Array.prototype.with. */
const replaced = (items: string[], at: number, value: string): string[] => items.map((candidate, i) => (i === at ? value : candidate));
const shipNotice = (id: string, lines: [number, number][], header = ' deliveryDate="2026-12-03T00:00:00+00:00"', ref = reference) =>
  cxml(
    `<ShipNoticeRequest><ShipNoticeHeader shipmentID="${id}" noticeDate="2026-12-01T15:20:00+00:00"${header}/><ShipControl><CarrierIdentifier domain="SCAC">UPSN</CarrierIdentifier></ShipControl><ShipNoticePortion>${ref}${lines
      .map(
        ([line, quantity]) =>
          `<ShipNoticeItem quantity="${quantity}" lineNumber="${line}"><UnitOfMeasure>EA</UnitOfMeasure></ShipNoticeItem>`,
      )
      .join('')}</ShipNoticePortion></ShipNoticeRequest>`,
  );
const first = shipNotice('SH-1', [
  [1, 4],
  [2, 1],
  [3, 1],
  [4, 8],
]);
const second = shipNotice('SH-2', [[1, 2]]);
const right = [confirmation('detail', confirmedItems), first, second];

describe('the partner checker, cXML', () => {
  it('finds nothing wrong in a right exchange: portions, a second notice for the backorder', () => {
    expect(checkCxmlAnswers(orderRequest, right)).toEqual([]);
    expect(checkPartnerView(orderRequest, right)).toEqual([]);
  });

  it('ConfirmationStatus quantities add up to the ordered quantity of their line', () => {
    const short = replaced(confirmedItems, 0, item(1, 6, status('accept', 4), status('backordered', 1)));
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', short)]),
      /line 1: the ConfirmationStatus quantities add up to 5, the ItemOut quantity is 6/,
    );
    const changed = replaced(confirmedItems, 3, item(4, 8, status('detail', 8)));
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', changed)]).slice(0, 1),
      /line 4: ConfirmationItem@quantity 8 is not the ordered 10/,
    );
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', [...confirmedItems, item(9, 1, status('accept', 1))])]),
      /ConfirmationItem 9 names no ItemOut/,
    );
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', [...confirmedItems, item(2, 1, status('accept', 1))])]),
      /line 2 is confirmed twice/,
    );
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', replaced(confirmedItems, 1, item(2, 1, status('maybe', 1))))]),
      /ConfirmationStatus@type maybe/,
    );
    const unquantified = replaced(
      confirmedItems,
      1,
      item(2, 1, '<ConfirmationStatus type="accept"><UnitOfMeasure>EA</UnitOfMeasure></ConfirmationStatus>'),
    );
    expect(checkCxmlAnswers(orderRequest, [confirmation('detail', unquantified)])[0]).toMatch(
      /line 2: a ConfirmationStatus with no quantity/,
    );
  });

  it('the header type agrees with the statuses', () => {
    only(
      checkCxmlAnswers(orderRequest, [confirmation('accept', confirmedItems)]),
      /type="accept", but not every ConfirmationStatus is accept/,
    );
    only(checkCxmlAnswers(orderRequest, [confirmation('backordered', confirmedItems)]), /type="backordered", but not every/);
    only(checkCxmlAnswers(orderRequest, [confirmation('yes', confirmedItems)]), /ConfirmationHeader@type yes/);
    const accepted = [
      item(1, 6, status('accept', 6)),
      item(2, 1, status('accept', 1)),
      item(3, 1, status('accept', 1)),
      item(4, 10, status('accept', 10)),
    ];
    expect(checkCxmlAnswers(orderRequest, [confirmation('accept', accepted)])).toEqual([]);
    // A reject lists no items (Fulfill.dtd); one that does, with an accepted line, breaks two rules.
    expect(checkCxmlAnswers(orderRequest, [confirmation('reject', [])])).toEqual([]);
    const findings = checkCxmlAnswers(orderRequest, [confirmation('reject', confirmedItems)]);
    expect(findings).toHaveLength(2);
    expect(findings.join('\n')).toMatch(/lists 4 ConfirmationItems; Fulfill.dtd allows none/);
    expect(findings.join('\n')).toMatch(/type="reject", but not every ConfirmationStatus is reject/);
  });

  it('the confirmation names the order', () => {
    only(checkCxmlAnswers(orderRequest, [orderRequest]), /answer 1, OrderRequest: not an answer to an OrderRequest/);
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', confirmedItems, reference.replace('PO-9001', 'PO-1'))]),
      /OrderReference@orderID PO-1 is not the order's PO-9001/,
    );
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', confirmedItems, reference.replace('4711', '4712'))]),
      /DocumentReference@payloadID 1700000000.4712@buyer.example/,
    );
  });

  it('ship notices: after a confirmation, dated, no more than confirmed to ship over all of them', () => {
    only(checkCxmlAnswers(orderRequest, [first]), /ShipNoticeRequest: sent before any ConfirmationRequest/);
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', confirmedItems), shipNotice('SH-1', [[1, 4]], '')]),
      /ShipNoticeHeader SH-1 has no deliveryDate/,
    );
    // The rejected cables ship.
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', confirmedItems), shipNotice('SH-1', [[4, 10]])]),
      /line 4: 10 shipped so far, more than the 8 confirmed to ship/,
    );
    // The backorder ships twice.
    only(checkCxmlAnswers(orderRequest, [...right, second]), /answer 4, ShipNoticeRequest: line 1: 8 shipped so far, more than the 6/);
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', confirmedItems), shipNotice('SH-1', [[7, 1]])]),
      /ShipNoticeItem 7 names no ItemOut/,
    );
    only(
      checkCxmlAnswers(orderRequest, [
        confirmation('detail', confirmedItems),
        shipNotice('SH-1', [[1, 1]], undefined, reference.replace('PO-9001', 'PO-1')),
      ]),
      /ShipNoticeRequest: OrderReference@orderID PO-1/,
    );
  });

  it('lines a confirmation does not list keep what its type says of them', () => {
    // accept with no items: all of it ships.
    expect(checkCxmlAnswers(orderRequest, [confirmation('accept', []), shipNotice('SH-1', [[4, 10]])])).toEqual([]);
    // reject: nothing does.
    only(
      checkCxmlAnswers(orderRequest, [confirmation('reject', []), shipNotice('SH-1', [[1, 1]])]),
      /line 1: 1 shipped so far, more than the 0/,
    );
    // detail naming line 1 only: line 4 was never confirmed.
    only(
      checkCxmlAnswers(orderRequest, [confirmation('detail', confirmedItems.slice(0, 1)), shipNotice('SH-1', [[4, 1]])]),
      /line 4: 1 shipped so far, more than the 0/,
    );
  });
});
