export { acknowledgmentInbound, readAcknowledgmentInterchange } from './acknowledgment-in.ts';
export { acknowledge, groupsNeeded, type AckControl, type AckDocument } from './respond.ts';
export { elementErrors, groupErrors, interchangeNotes, segmentErrors, setErrors } from './codes.ts';
export { rejectionReasons, setCounts } from './explain.ts';
export { AK1, AK2, AK3, AK4, AK5, AK9, element, GE, GS, IEA, ISA, isaElementCount, isaLength, SE, ST, TA1 } from './elements.ts';
export { interchangeInbound } from './inbound.ts';
export {
  draft850For,
  guidesFor,
  loadMap850,
  map850,
  map850For,
  map850Names,
  map850Problem,
  type Map850,
  type Mapped850,
} from './map-850.ts';
export { senderCheck } from './check-envelope.ts';
export { readX12, readX12InSlices, X12Reader, type InterchangeOutcome, type SetMapper, type Unreadable } from './read.ts';
export { envelope, interchange, serialize, seg, type OutSegment } from './serialize.ts';
export { tokenize, X12Tokenizer, type Delimiters, type Segment } from './tokenize.ts';
export { segmentLines, type SegmentLine, type SegmentLines } from './segment-lines.ts';
export { ackDetailView, type AckDetailView } from './ack-detail.ts';
