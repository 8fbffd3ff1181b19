import { checkCxmlAnswers } from './partner-cxml.ts';
import { checkX12Answers } from './partner-x12.ts';

// What a trading partner would find wrong in our answers to one of its orders, read from the
// standards (X12 4010, cXML Fulfill.dtd) and never through our builders. For the integration tests:
// pass the order as received and our documents for it in the order they were sent; an empty list
// means the partner has nothing to complain about. partner-answers.ts fetches the documents of an
// order from the partner's mailbox and checks them.
//
// X12 (partner-x12.ts): the 850, then 855 / 856 / 810 interchanges.
//   855  one PO1 per ordered PO1, echoing PO102-PO104; each PO1 and SLN answered once, its ACK02s
//        adding up to the ordered quantity in its unit; ACK01 from code list 668; IB and DR dated
//        (ACK04 + ACK05); BAK02 AD when every ACK is IA, RD or RJ when every one rejects, else AC;
//        BAK03 = BEG03; CTT01 = number of PO1; SE01/SE02.
//   856  PRF01 = BEG03; each line's SN102, summed over every 856, at most what the latest 855 lets
//        ship (its ACKs but the rejecting IR ID R1-R8 and the holding IF IH IW); LIN01 a line of the
//        850 (a sub-line as `<PO101>.<SLN01>`); SN103 the ordered unit; HL numbers unique, each
//        parent an earlier HL of a higher level, HL04 true to its children; MAN GM 00 + an SSCC-18
//        with a right check digit; SE01/SE02.
//   810  BIG04 = BEG03; IT102 per line (over every 810) at most what the 855 lets ship; TDS01 the
//        sum of IT102 × IT104 in cents; CTT01 = number of IT1; SE01/SE02.
// cXML (partner-cxml.ts): the OrderRequest, then ConfirmationRequests and ShipNoticeRequests.
//   ConfirmationRequest  OrderReference@orderID and DocumentReference@payloadID name the order;
//        each ConfirmationItem a line of the order, once, @quantity the ordered one, its
//        ConfirmationStatus quantities adding up to it; "accept" / "reject" / "backordered" only
//        when every status is that; a "reject" lists no items.
//   ShipNoticeRequest  after a ConfirmationRequest; ShipNoticeHeader@deliveryDate; the same order
//        reference; per line, summed over every notice, at most the confirmed quantity to ship
//        (accept, detail, allDetail, backordered; lines a confirmation of type accept, except or
//        backordered does not list count whole).

export { checkCxmlAnswers } from './partner-cxml.ts';
export { checkX12Answers, tokenizeX12, type X12Set } from './partner-x12.ts';

/** Either kind: X12 when the order text is an interchange (it starts with ISA), cXML otherwise. */
export function checkPartnerView(order: string, answers: readonly string[]): string[] {
  return order.trimStart().startsWith('ISA') ? checkX12Answers(order, answers) : checkCxmlAnswers(order, answers);
}
