import type { GroupFinding, SetFinding } from './ack.ts';
import { ContentHash } from './content-hash.ts';
import { checkGroup, checkInterchangeTrailer, checkIsa, checkSetEnvelope } from './check-envelope.ts';
import { setErrors } from './codes.ts';
import { element, GE, ISA, ST } from './elements.ts';
import { EnvelopeReader, type InterchangeFrame, type TransactionSet } from './envelope.ts';
import { checkAgainstGuide, guideFor, type Guide, type SegmentError } from './guide.ts';
import { inSlices } from './slices.ts';
import { X12Tokenizer, type Delimiters, type Segment } from './tokenize.ts';

// Reads X12 input (whole or in chunks) into findings per interchange: what to acknowledge, and the
// transaction sets that passed every check, mapped by the caller's function.

export interface SetContext {
  isa: Segment;
  gs: Segment;
  delimiters: Delimiters;
}

/**
 * The caller's mapping of a transaction set that passed the guide. A failure names segments, or
 * gives set-level codes (e.g. 1, not supported, for a set the caller does not take).
 */
export type SetMapper<O> = (
  set: TransactionSet,
  context: SetContext,
) => { ok: true; value: O } | { ok: false; errors: SegmentError[]; setCodes?: string[] };

export interface InterchangeOutcome<O> {
  isa: Segment;
  /** SHA-256 over the segments' content: the same interchange gives the same value whatever its delimiters or wrapping. */
  fingerprint: string;
  /** Byte offset of the ISA in the input. */
  offset: number;
  delimiters: Delimiters;
  /** TA1 note code when the interchange itself is at fault; then nothing in it is accepted. */
  rejection: string | undefined;
  groups: GroupFinding[];
  /** Mapped sets of accepted groups in an accepted interchange, each with its finding (which the answer may still refuse). */
  accepted: { value: O; st: Segment; gs: Segment; fingerprint: string; finding: SetFinding }[];
  ackRequested: boolean;
}

export interface Unreadable {
  offset: number;
  reason: string;
  preview: string;
}

export interface ReadOptions<O> {
  map: SetMapper<O>;
  /** The guide each set is checked against, by ST01: a partner's own (see guidesFor), or the default guideFor. */
  guides?: (setId: string) => Guide | undefined;
  /** The partner's own rules about an ISA (who may send, to whom): a TA1 note code when refused. */
  checkSender?: (isa: Segment) => string | undefined;
  onInterchange: (outcome: InterchangeOutcome<O>) => void;
  onUnreadable: (problem: Unreadable) => void;
  /**
   * Streaming: each mapped set as soon as it is read, before its group and interchange are known
   * to be sound. With it, outcomes carry no accepted sets, so memory stays flat on large files.
   */
  onMapped?: (value: O, context: SetContext) => void;
}

/** All that is kept of a set until its interchange ends; the ST only with a mapped set, for `accepted`. */
type SetResult<O> = { finding: SetFinding; mapped: { value: O; st: Segment; fingerprint: string } | undefined };

export class X12Reader<O> {
  private readonly tokenizer: X12Tokenizer;
  private readonly envelopes: EnvelopeReader<SetResult<O>>;
  private isaProblem: string | undefined;
  private readonly interchangeHash = new ContentHash();
  private readonly setHash = new ContentHash();

  constructor(private readonly options: ReadOptions<O>) {
    this.envelopes = new EnvelopeReader<SetResult<O>>({
      interchange: (isa) => {
        this.isaProblem = checkIsa(isa) ?? options.checkSender?.(isa);
        this.interchangeHash.restart();
      },
      transaction: (set, gs, frame) => this.readSet(set, gs, frame),
      interchangeEnd: (frame) => options.onInterchange(this.outcome(frame)),
      unreadable: (offset, reason, preview) => options.onUnreadable({ offset, reason, preview }),
    });
    this.tokenizer = new X12Tokenizer((event, hashed) => {
      // An ISA first closes the interchange before it (and starts a new hash), an IEA last.
      if (event.kind === 'segment' && event.segment.tag === 'ISA') {
        this.envelopes.accept(event);
        this.interchangeHash.add(event.segment, event.delimiters);
        return;
      }
      if (event.kind === 'segment' && !hashed) this.interchangeHash.add(event.segment, event.delimiters);
      this.envelopes.accept(event);
    }, this.interchangeHash);
  }

  push(chunk: Uint8Array): void {
    this.tokenizer.push(chunk);
  }

  end(): void {
    this.tokenizer.end();
    this.envelopes.end();
  }

  private readSet(set: TransactionSet, gs: Segment, frame: InterchangeFrame<SetResult<O>>): SetResult<O> {
    const setCodes = checkSetEnvelope(set);
    const guide = (this.options.guides ?? guideFor)(element(set.st, ST.setId) ?? '');
    let errors: SegmentError[] = [];
    let mapped: O | undefined;
    if (guide === undefined) {
      setCodes.unshift(setErrors.notSupported);
    } else {
      errors = checkAgainstGuide(guide, set);
      // An interchange already refused is still checked, so the partner learns everything at once.
      if (errors.length === 0 && setCodes.length === 0 && this.isaProblem === undefined) {
        const result = this.options.map(set, { isa: frame.isa, gs, delimiters: frame.delimiters });
        if (result.ok) {
          if (this.options.onMapped === undefined) mapped = result.value;
          else this.options.onMapped(result.value, { isa: frame.isa, gs, delimiters: frame.delimiters });
        } else {
          errors = result.errors;
          for (const code of result.setCodes ?? []) setCodes.push(code);
        }
      }
    }
    if (errors.length > 0) setCodes.push(setErrors.segmentsInError);
    const st03 = element(set.st, ST.conventionReference);
    const finding: SetFinding = {
      st01: element(set.st, ST.setId) ?? '',
      st02: element(set.st, ST.controlNumber) ?? '',
      ...(st03 === undefined ? {} : { st03 }),
      segmentErrors: errors,
      setCodes,
      status: setCodes.length > 0 ? 'R' : 'A',
    };
    if (mapped === undefined) return { finding, mapped: undefined };
    // Only an accepted set that is kept (no onMapped) is ever asked for its fingerprint: streaming skips it.
    for (const segment of set.segments) this.setHash.add(segment, frame.delimiters);
    return { finding, mapped: { value: mapped, st: set.st, fingerprint: this.setHash.digest() } };
  }

  private outcome(frame: InterchangeFrame<SetResult<O>>): InterchangeOutcome<O> {
    const rejection = this.isaProblem ?? checkInterchangeTrailer(frame);
    const fingerprint = this.interchangeHash.digest();
    const accepted: InterchangeOutcome<O>['accepted'] = [];
    const groups: GroupFinding[] = frame.groups.map((group) => {
      const groupCodes = checkGroup(group);
      if (rejection === undefined && groupCodes.length === 0) {
        for (const { mapped, finding } of group.sets)
          if (mapped !== undefined)
            accepted.push({ value: mapped.value, st: mapped.st, gs: group.gs, fingerprint: mapped.fingerprint, finding });
      }
      return {
        gs: group.gs,
        stated: setCountOf(group.ge),
        groupCodes,
        sets: group.sets.map((s) => s.finding),
        interchangeRejected: rejection !== undefined,
      };
    });
    return {
      isa: frame.isa,
      fingerprint,
      offset: frame.isa.offset,
      delimiters: frame.delimiters,
      rejection,
      groups,
      accepted,
      ackRequested: element(frame.isa, ISA.ackRequested) === '1',
    };
  }
}

/** GE01 when it is a number. */
function setCountOf(ge: Segment | undefined): number | undefined {
  const stated = ge === undefined ? undefined : element(ge, GE.setCount);
  return stated !== undefined && /^\d+$/.test(stated) ? Number(stated) : undefined;
}

type ReadResult<O> = { interchanges: InterchangeOutcome<O>[]; unreadable: Unreadable[] };

function collectingReader<O>(options: Omit<ReadOptions<O>, 'onInterchange' | 'onUnreadable'>): {
  reader: X12Reader<O>;
  read: ReadResult<O>;
} {
  const read: ReadResult<O> = { interchanges: [], unreadable: [] };
  const reader = new X12Reader<O>({
    ...options,
    onInterchange: (o) => read.interchanges.push(o),
    onUnreadable: (u) => read.unreadable.push(u),
  });
  return { reader, read };
}

/** Reads a whole document at once. */
export function readX12<O>(input: Uint8Array, options: Omit<ReadOptions<O>, 'onInterchange' | 'onUnreadable'>): ReadResult<O> {
  const { reader, read } = collectingReader(options);
  reader.push(input);
  reader.end();
  return read;
}

/** Bytes read between two looks at the clock: a few hundred small sets, well under a slice's budget. */
const readChunkBytes = 16 * 1024;

/**
 * Reads a whole document as readX12 does, the same outcomes, but a chunk at a time, giving the event
 * loop a turn whenever a slice's budget is spent: a body of 100,000 sets never holds the server.
 */
export async function readX12InSlices<O>(
  input: Uint8Array,
  options: Omit<ReadOptions<O>, 'onInterchange' | 'onUnreadable'>,
): Promise<ReadResult<O>> {
  const { reader, read } = collectingReader(options);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < input.length; start += readChunkBytes) chunks.push(input.subarray(start, start + readChunkBytes));
  await inSlices(chunks, (chunk) => reader.push(chunk));
  reader.end();
  return read;
}
