// The X12 side of test/support/partner-checker.ts: an 850 and our 855/856/810 for it, read as the
// trading partner's translator reads them. Written from the X12 4010 standard (segment and element
// definitions of the 850, 855, 856 and 810; code lists 587, 668), never from our builders: a
// mistake shared by builder and checker would pass unseen.

/** One transaction set: its ST01, ST02, and every segment from ST to SE as element lists (index 0 the segment id). */
export interface X12Set {
  type: string;
  control: string;
  segments: string[][];
}

/**
 * Every transaction set of every interchange in the text, split with each ISA's own delimiters: the
 * element separator is the character after "ISA", the segment terminator the one after ISA16 (ISA is
 * fixed-length: 106 characters); no check here reads a composite element, so ISA16 itself is not
 * used. Line breaks around a terminator are not data. Throws on text with no interchange in it.
 */
export function tokenizeX12(text: string): X12Set[] {
  const sets: X12Set[] = [];
  let at = text.indexOf('ISA');
  if (at === -1) throw new Error('no ISA segment: not an X12 interchange');
  while (at !== -1) {
    if (text.length < at + 106) throw new Error(`the ISA at offset ${at} is shorter than its fixed 106 characters`);
    const elementSeparator = text.charAt(at + 3);
    const terminator = text.charAt(at + 105);
    let current: X12Set | undefined;
    let end = text.length;
    let pos = at;
    while (pos < text.length) {
      const next = text.indexOf(terminator, pos);
      const stop = next === -1 ? text.length : next;
      const raw = text
        .slice(pos, stop)
        .replace(/^[\r\n]+/, '')
        .replace(/[\r\n]+$/, '');
      pos = stop + 1;
      if (raw === '') continue;
      const elements = raw.split(elementSeparator);
      const id = elements[0];
      if (id === 'ST') current = { type: elements[1] ?? '', control: elements[2] ?? '', segments: [] };
      current?.segments.push(elements);
      if (id === 'SE' && current !== undefined) {
        sets.push(current);
        current = undefined;
      }
      if (id === 'IEA') {
        end = pos;
        break;
      }
    }
    at = text.indexOf('ISA', end);
  }
  return sets;
}

const el = (segment: string[] | undefined, position: number): string => segment?.[position] ?? '';
const num = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));
/** Quantities and amounts are decimals; a millionth apart is the same number. */
const same = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;
const fmt = (n: number): string => String(Math.round(n * 1e6) / 1e6);

/** A line of the 850: a PO1, or an SLN under one (its key `<PO101>.<SLN01>`, unless SLN01 already starts so). */
export interface OrderedLine {
  key: string;
  /** SLN01, for a sub-line. */
  sub?: string;
  parent?: string;
  quantity: number;
  unit: string;
  /** PO102, PO103, PO104 as sent. */
  po1?: { quantity: string; unit: string; price: string };
}

export interface X12Order {
  poNumber: string;
  lines: OrderedLine[];
}

export function read850(sets: readonly X12Set[]): X12Order {
  const orders = sets.filter((set) => set.type === '850');
  if (orders.length !== 1) throw new Error(`expected one 850 set, found ${orders.length}`);
  const [order] = orders as [X12Set];
  const beg = order.segments.find((s) => s[0] === 'BEG');
  const lines: OrderedLine[] = [];
  let parent: OrderedLine | undefined;
  let ordinal = 0;
  for (const segment of order.segments) {
    if (segment[0] === 'PO1') {
      ordinal += 1;
      // PO101 is optional in 4010; without it a line is known by its place.
      parent = {
        key: el(segment, 1) === '' ? String(ordinal) : el(segment, 1),
        quantity: num(el(segment, 2)),
        unit: el(segment, 3),
        po1: { quantity: el(segment, 2), unit: el(segment, 3), price: el(segment, 4) },
      };
      lines.push(parent);
    } else if (segment[0] === 'SLN' && parent !== undefined) {
      const own = el(segment, 1);
      const key = own.startsWith(`${parent.key}.`) ? own : `${parent.key}.${own}`;
      lines.push({ key, sub: own, parent: parent.key, quantity: num(el(segment, 4)), unit: el(segment, 5) });
    }
  }
  return { poNumber: el(beg, 3), lines };
}

/** Element 668, Line Item Status Code (4010). */
const lineItemStatus = new Set([
  'AA',
  'AC',
  'AR',
  'BP',
  'DR',
  'IA',
  'IB',
  'IC',
  'ID',
  'IE',
  'IF',
  'IH',
  'IP',
  'IQ',
  'IR',
  'IS',
  'IW',
  'R1',
  'R2',
  'R3',
  'R4',
  'R5',
  'R6',
  'R7',
  'R8',
  'SP',
]);
/** 668 codes that refuse the quantity: rejected, or deleted. */
const refusing = new Set(['IR', 'ID', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8']);
/** 668 codes that hold the quantity back: nothing of it may ship until a later answer. */
const holding = new Set(['IF', 'IH', 'IW']);
/** 668 codes that promise a date: the backorder's, the rescheduled one. */
const dated = new Set(['IB', 'DR']);

const validDate = (value: string): boolean => {
  if (!/^\d{8}$/.test(value)) return false;
  const date = new Date(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10).replaceAll('-', '') === value;
};

/** SE01 counts the segments from ST to SE; SE02 repeats ST02. */
function checkTrailer(set: X12Set, name: string, findings: string[]): void {
  const se = set.segments.at(-1);
  if (num(el(se, 1)) !== set.segments.length) findings.push(`${name}: SE01 ${el(se, 1)}, but the set has ${set.segments.length} segments`);
  if (el(se, 2) !== set.control) findings.push(`${name}: SE02 ${el(se, 2)} is not ST02 ${set.control}`);
}

/** The quantity each line may ship, as an 855 says: every ACK that neither refuses nor holds it. */
type ToShip = Map<string, number>;

function check855(set: X12Set, order: X12Order, name: string, findings: string[]): ToShip {
  const toShip: ToShip = new Map();
  const bak = set.segments.find((s) => s[0] === 'BAK');
  if (el(bak, 3) !== order.poNumber) findings.push(`${name}: BAK03 ${el(bak, 3)} is not the 850's BEG03 ${order.poNumber}`);
  const top = order.lines.filter((line) => line.po1 !== undefined);
  const acks = new Map<string, string[][]>();
  const answered = new Map<string, number>();
  let current: OrderedLine | undefined;
  let parent: OrderedLine | undefined;
  /** In a PO1 or SLN the 850 does not have. */
  let unknown = false;
  let ordinal = 0;
  let po1Count = 0;
  for (const segment of set.segments) {
    if (segment[0] === 'PO1') {
      ordinal += 1;
      po1Count += 1;
      const key = el(segment, 1) === '' ? String(ordinal) : el(segment, 1);
      parent = top.find((line) => line.key === key);
      current = parent;
      if (parent?.po1 === undefined) {
        findings.push(`${name}: PO1 ${key} answers no PO1 of the 850`);
        unknown = true;
        continue;
      }
      unknown = false;
      answered.set(key, (answered.get(key) ?? 0) + 1);
      const ordered = parent.po1;
      // The 855 echoes the line as ordered; what changed is told by the ACKs.
      if (!same(num(el(segment, 2)), num(ordered.quantity)))
        findings.push(`${name}: PO1 ${key}: PO102 ${el(segment, 2)} is not the ordered ${ordered.quantity}`);
      if (el(segment, 3) !== ordered.unit) findings.push(`${name}: PO1 ${key}: PO103 ${el(segment, 3)} is not the ordered ${ordered.unit}`);
      const price = el(segment, 4);
      if (ordered.price === '' ? price !== '' : !same(num(price), num(ordered.price)))
        findings.push(`${name}: PO1 ${key}: PO104 ${price} is not the ordered ${ordered.price}`);
    } else if (segment[0] === 'SLN') {
      const own = el(segment, 1);
      current = order.lines.find((line) => line.parent === parent?.key && line.sub === own);
      if (current === undefined) {
        if (!unknown) findings.push(`${name}: SLN ${own} under PO1 ${parent?.key ?? '(none)'} answers no SLN of the 850`);
        unknown = true;
        continue;
      }
      unknown = false;
      answered.set(current.key, (answered.get(current.key) ?? 0) + 1);
      if (!same(num(el(segment, 4)), current.quantity))
        findings.push(`${name}: SLN ${current.key}: SLN04 ${el(segment, 4)} is not the ordered ${fmt(current.quantity)}`);
    } else if (segment[0] === 'ACK') {
      // The ACKs of a line the 850 does not have were named with it.
      if (current === undefined) {
        if (!unknown) findings.push(`${name}: an ACK before any PO1`);
        continue;
      }
      acks.set(current.key, [...(acks.get(current.key) ?? []), segment]);
    }
  }
  for (const line of order.lines) {
    const kind = line.po1 === undefined ? 'SLN' : 'PO1';
    const times = answered.get(line.key) ?? 0;
    if (times !== 1) {
      findings.push(`${name}: ${kind} ${line.key} of the 850 is answered ${times} times, not once`);
      if (times === 0) continue;
    }
    const lineAcks = acks.get(line.key) ?? [];
    if (lineAcks.length === 0) {
      findings.push(`${name}: ${kind} ${line.key} has no ACK`);
      continue;
    }
    let total = 0;
    let shipping = 0;
    for (const ack of lineAcks) {
      const code = el(ack, 1);
      const quantity = num(el(ack, 2));
      if (!lineItemStatus.has(code)) findings.push(`${name}: ${kind} ${line.key}: ACK01 ${code} is not a 668 line item status code`);
      if (Number.isNaN(quantity)) findings.push(`${name}: ${kind} ${line.key}: ACK ${code} has no quantity (ACK02)`);
      else if (el(ack, 3) !== line.unit)
        findings.push(`${name}: ${kind} ${line.key}: ACK ${code} counts in ${el(ack, 3) || '(no ACK03)'}, the line in ${line.unit}`);
      if (dated.has(code) && (el(ack, 4) === '' || !validDate(el(ack, 5))))
        findings.push(`${name}: ${kind} ${line.key}: ACK ${code} carries no date (ACK04 qualifier and ACK05 CCYYMMDD)`);
      if (Number.isNaN(quantity)) continue;
      total += quantity;
      if (!refusing.has(code) && !holding.has(code)) shipping += quantity;
    }
    if (!same(total, line.quantity))
      findings.push(
        `${name}: ${kind} ${line.key}: the ACK02 quantities add up to ${fmt(total)}, the ordered quantity is ${fmt(line.quantity)}`,
      );
    toShip.set(line.key, shipping);
  }
  // BAK02 (587) says how the whole order was taken: AD all as ordered, RD/RJ all rejected, AC any mix or change.
  const codes = [...acks.values()].flat().map((ack) => el(ack, 1));
  const expected =
    codes.length > 0 && codes.every((c) => c === 'IA')
      ? ['AD']
      : codes.length > 0 && codes.every((c) => refusing.has(c))
        ? ['RD', 'RJ']
        : ['AC'];
  if (!expected.includes(el(bak, 2)))
    findings.push(`${name}: BAK02 ${el(bak, 2)} does not fit ACKs ${[...new Set(codes)].join(' ')} (expected ${expected.join(' or ')})`);
  const ctt = set.segments.find((s) => s[0] === 'CTT');
  if (ctt !== undefined && num(el(ctt, 1)) !== po1Count) findings.push(`${name}: CTT01 ${el(ctt, 1)}, but the set has ${po1Count} PO1`);
  checkTrailer(set, name, findings);
  return toShip;
}

/** GS1 mod-10 over an SSCC's first 17 digits: weights 3 and 1 from the right. */
export function ssccCheckDigit(first17: string): number {
  const sum = [...first17].reverse().reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
}

/**
 * The 850 line an 856 LIN or 810 IT1 names: its first element, read as a sub-line of the PO1 its PL
 * pair (the parent's line number) names when it has one, as the partner numbered its SLN01.
 */
function itemKey(segment: string[], firstPair: number): string {
  const id = el(segment, 1);
  for (let i = firstPair; i + 1 < segment.length; i += 2) if (segment[i] === 'PL') return `${segment[i + 1] ?? ''}.${id}`;
  return id;
}

/** HL03 levels of an 856, from the top: a level sits under one above it. */
const levelRank: Record<string, number> = { S: 0, O: 1, T: 2, P: 3, I: 4 };

/** The 856's items: [LIN01, SN102, SN103] of each item level. */
function check856(set: X12Set, order: X12Order, name: string, findings: string[]): { key: string; quantity: number }[] {
  const items: { key: string; quantity: number }[] = [];
  const prf = set.segments.find((s) => s[0] === 'PRF');
  if (el(prf, 1) !== order.poNumber) findings.push(`${name}: PRF01 ${el(prf, 1)} is not the 850's BEG03 ${order.poNumber}`);
  const levels = new Map<string, { code: string; children: number; declared: string }>();
  let first = true;
  let lin: string | undefined;
  for (const segment of set.segments) {
    if (segment[0] === 'HL') {
      lin = undefined;
      const [id, parentId, code, child] = [el(segment, 1), el(segment, 2), el(segment, 3), el(segment, 4)];
      if (levels.has(id)) findings.push(`${name}: HL01 ${id} is used twice`);
      if (first && parentId !== '') findings.push(`${name}: the first HL (${id}) names a parent, ${parentId}`);
      if (!first) {
        const parentLevel = levels.get(parentId);
        if (parentLevel === undefined) findings.push(`${name}: HL ${id} names parent ${parentId || '(none)'}, not an HL before it`);
        else {
          parentLevel.children += 1;
          const [rank, parentRank] = [levelRank[code], levelRank[parentLevel.code]];
          if (rank !== undefined && parentRank !== undefined && rank <= parentRank)
            findings.push(`${name}: HL ${id} (level ${code}) cannot sit under HL ${parentId} (level ${parentLevel.code})`);
        }
      }
      if (levelRank[code] === undefined) findings.push(`${name}: HL ${id}: HL03 ${code} is not a level this checker knows (S O T P I)`);
      levels.set(id, { code, children: 0, declared: child });
      first = false;
    } else if (segment[0] === 'LIN') lin = itemKey(segment, 2);
    else if (segment[0] === 'SN1') {
      const line = order.lines.find((candidate) => candidate.key === lin);
      if (line === undefined) {
        findings.push(`${name}: SN1 of ${lin === undefined ? 'an item with no LIN' : `LIN01 ${lin}`}, which names no line of the 850`);
        continue;
      }
      if (el(segment, 3) !== line.unit)
        findings.push(`${name}: line ${line.key}: SN103 ${el(segment, 3)} is not the ordered unit ${line.unit}`);
      items.push({ key: line.key, quantity: num(el(segment, 2)) });
    } else if (segment[0] === 'MAN' && el(segment, 1) === 'GM') {
      const mark = el(segment, 2);
      // GM: the SSCC-18 with its GS1 application identifier 00 in front.
      if (!/^00\d{18}$/.test(mark)) findings.push(`${name}: MAN GM ${mark} is not 00 and 18 digits`);
      else if (ssccCheckDigit(mark.slice(2, 19)) !== Number(mark.charAt(19)))
        findings.push(`${name}: MAN GM ${mark}: the SSCC's check digit should be ${ssccCheckDigit(mark.slice(2, 19))}`);
    }
  }
  for (const [id, level] of levels) {
    // HL04: 1 when levels follow under this one, 0 when none do.
    if (level.declared === '1' && level.children === 0) findings.push(`${name}: HL ${id} says HL04 1, but no level sits under it`);
    if (level.declared === '0' && level.children > 0)
      findings.push(`${name}: HL ${id} says HL04 0, but ${level.children} levels sit under it`);
  }
  checkTrailer(set, name, findings);
  return items;
}

function check810(set: X12Set, order: X12Order, name: string, findings: string[]): { key: string; quantity: number }[] {
  const items: { key: string; quantity: number }[] = [];
  const big = set.segments.find((s) => s[0] === 'BIG');
  if (el(big, 4) !== order.poNumber) findings.push(`${name}: BIG04 ${el(big, 4)} is not the 850's BEG03 ${order.poNumber}`);
  let total = 0;
  let count = 0;
  for (const segment of set.segments.filter((s) => s[0] === 'IT1')) {
    count += 1;
    const quantity = num(el(segment, 2));
    const price = num(el(segment, 4));
    total += quantity * price;
    const key = itemKey(segment, 6);
    const line = order.lines.find((candidate) => candidate.key === key);
    if (line === undefined) findings.push(`${name}: IT1 ${key} names no line of the 850`);
    else items.push({ key: line.key, quantity });
  }
  // TDS01 is N2: the total in cents, with no decimal point.
  const tds = set.segments.find((s) => s[0] === 'TDS');
  const cents = Math.round(total * 100);
  if (tds === undefined || !/^-?\d+$/.test(el(tds, 1)) || Number(el(tds, 1)) !== cents)
    findings.push(`${name}: TDS01 ${el(tds, 1) || '(none)'} is not the sum of IT102 × IT104 in cents, ${cents}`);
  const ctt = set.segments.find((s) => s[0] === 'CTT');
  if (ctt !== undefined && num(el(ctt, 1)) !== count) findings.push(`${name}: CTT01 ${el(ctt, 1)}, but the set has ${count} IT1`);
  checkTrailer(set, name, findings);
  return items;
}

/**
 * The 850 and, in the order they were sent, our answers to it (each text one or more interchanges of
 * 855, 856, 810 sets). Shipped (856 SN102, summed over every 856) and invoiced (810 IT102) quantities
 * are held against what the latest 855 before them lets ship.
 */
export function checkX12Answers(order850: string, answers: readonly string[]): string[] {
  const findings: string[] = [];
  const order = read850(tokenizeX12(order850));
  let toShip: ToShip | undefined;
  const shipped = new Map<string, number>();
  const invoiced = new Map<string, number>();
  const against = (name: string, what: string, items: { key: string; quantity: number }[], sums: Map<string, number>) => {
    if (toShip === undefined) {
      findings.push(`${name}: sent before any 855`);
      return;
    }
    for (const { key, quantity } of items) sums.set(key, (sums.get(key) ?? 0) + quantity);
    for (const key of new Set(items.map((item) => item.key))) {
      const quantity = sums.get(key) ?? 0;
      const allowed = toShip.get(key) ?? 0;
      if (quantity > allowed + 1e-6)
        findings.push(`${name}: line ${key}: ${fmt(quantity)} ${what} so far, more than the ${fmt(allowed)} the 855 lets ship`);
    }
  };
  answers.forEach((text, index) => {
    for (const set of tokenizeX12(text)) {
      const name = `answer ${index + 1}, ${set.type} ${set.control}`;
      if (set.type === '855') toShip = check855(set, order, name, findings);
      else if (set.type === '856') against(name, 'shipped', check856(set, order, name, findings), shipped);
      else if (set.type === '810') against(name, 'invoiced', check810(set, order, name, findings), invoiced);
      else findings.push(`${name}: not an answer to an 850 (855, 856 or 810)`);
    }
  });
  return findings;
}
