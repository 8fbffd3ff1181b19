// The names X12 version 4010 gives the transaction sets and segments the gateway reads and writes
// (850, 855, 856, 810, 997, TA1; the 999's IK segments from 5010), so that a person reading a raw
// interchange in the console sees what each line is. A segment not listed here shows its id alone.

const names: Readonly<Record<string, string>> = {
  ISA: 'Interchange Control Header',
  IEA: 'Interchange Control Trailer',
  TA1: 'Interchange Acknowledgment',
  GS: 'Functional Group Header',
  GE: 'Functional Group Trailer',
  ST: 'Transaction Set Header',
  SE: 'Transaction Set Trailer',
  // 850 Purchase Order
  BEG: 'Beginning Segment for Purchase Order',
  CUR: 'Currency',
  REF: 'Reference Identification',
  PER: 'Administrative Communications Contact',
  TAX: 'Tax Reference',
  FOB: 'F.O.B. Related Instructions',
  CTP: 'Pricing Information',
  CSH: 'Sales Requirements',
  SAC: 'Service, Promotion, Allowance, or Charge Information',
  ITD: 'Terms of Sale/Deferred Terms of Sale',
  DIS: 'Discount Detail',
  DTM: 'Date/Time Reference',
  LDT: 'Lead Time',
  PID: 'Product/Item Description',
  MEA: 'Measurements',
  PWK: 'Paperwork',
  PKG: 'Marking, Packaging, Loading',
  TD1: 'Carrier Details (Quantity and Weight)',
  TD3: 'Carrier Details (Equipment)',
  TD4: 'Carrier Details (Special Handling, or Hazardous Materials, or Both)',
  TD5: 'Carrier Details (Routing Sequence/Transit Time)',
  MAN: 'Marks and Numbers',
  TXI: 'Tax Information',
  N9: 'Reference Identification',
  MSG: 'Message Text',
  N1: 'Name',
  N2: 'Additional Name Information',
  N3: 'Address Information',
  N4: 'Geographic Location',
  PO1: 'Baseline Item Data',
  PO3: 'Additional Item Detail',
  PO4: 'Item Physical Details',
  SI: 'Service Characteristic Identification',
  SLN: 'Subline Item Detail',
  SCH: 'Line Item Schedule',
  CTT: 'Transaction Totals',
  AMT: 'Monetary Amount',
  // 855 Purchase Order Acknowledgment
  BAK: 'Beginning Segment for Purchase Order Acknowledgment',
  ACK: 'Line Item Acknowledgment',
  // 856 Ship Notice/Manifest
  BSN: 'Beginning Segment for Ship Notice',
  HL: 'Hierarchical Level',
  LIN: 'Item Identification',
  SN1: 'Item Detail (Shipment)',
  PRF: 'Purchase Order Reference',
  // 810 Invoice
  BIG: 'Beginning Segment for Invoice',
  IT1: 'Baseline Item Data (Invoice)',
  TDS: 'Total Monetary Value Summary',
  ISS: 'Invoice Shipment Summary',
  CAD: 'Carrier Detail',
  // 997 Functional Acknowledgment
  AK1: 'Functional Group Response Header',
  AK2: 'Transaction Set Response Header',
  AK3: 'Data Segment Note',
  AK4: 'Data Element Note',
  AK5: 'Transaction Set Response Trailer',
  AK9: 'Functional Group Response Trailer',
  // 999 Implementation Acknowledgment
  IK3: 'Implementation Data Segment Note',
  IK4: 'Implementation Data Element Note',
  IK5: 'Implementation Transaction Set Response Trailer',
  CTX: 'Context',
};

/** The segment's 4010 name, or undefined for a segment the gateway neither reads nor writes. */
export const segmentName = (id: string): string | undefined => (Object.hasOwn(names, id) ? names[id] : undefined);

const sets: Readonly<Record<string, string>> = {
  '850': 'Purchase Order',
  '855': 'Purchase Order Acknowledgment',
  '856': 'Ship Notice/Manifest',
  '810': 'Invoice',
  '997': 'Functional Acknowledgment',
  '999': 'Implementation Acknowledgment',
  TA1: 'Interchange Acknowledgment',
};

/** "Purchase Order" for 850; undefined for a combination ("TA1+997") or a set the gateway does not handle. */
export const transactionSetName = (id: string): string | undefined => (Object.hasOwn(sets, id) ? sets[id] : undefined);
