export { acknowledge, groupsNeeded, type AckControl, type AckDocument } from './respond.ts';
export { elementErrors, groupErrors, interchangeNotes, segmentErrors, setErrors } from './codes.ts';
export { element, GE, GS, IEA, ISA, isaElementCount, isaLength, SE, ST } from './elements.ts';
export { interchangeInbound } from './inbound.ts';
export { draft850For, guidesFor, loadMap850, map850, map850For, map850Problem, type Map850, type Mapped850 } from './map-850.ts';
export { senderCheck } from './check-envelope.ts';
export { readX12, X12Reader, type InterchangeOutcome, type SetMapper, type Unreadable } from './read.ts';
export { envelope, interchange, serialize, seg, type OutSegment } from './serialize.ts';
export { tokenize, X12Tokenizer, type Delimiters, type Segment } from './tokenize.ts';
