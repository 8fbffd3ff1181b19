import type { Delimiters, Segment, TokenEvent } from './tokenize.ts';

// Groups the segment stream into interchanges, functional groups and transaction sets, handing each
// transaction set over as soon as it is complete so that memory stays flat on large files.

export interface TransactionSet {
  st: Segment;
  /** ST first; SE last when it came. */
  segments: Segment[];
  se: Segment | undefined;
}

export interface GroupFrame<R> {
  gs: Segment;
  ge: Segment | undefined;
  /**
   * What the handler made of each set, and nothing else of it: a group can hold any number of sets,
   * so the handler keeps only what its answer needs (ST01–ST03, the findings).
   */
  sets: R[];
}

export interface InterchangeFrame<R> {
  isa: Segment;
  delimiters: Delimiters;
  groups: GroupFrame<R>[];
  iea: Segment | undefined;
  /** Segments where none belongs: outside a group, between sets, after IEA... */
  strays: Segment[];
}

export interface EnvelopeHandler<R> {
  /** Called when an ISA arrives; the returned value is passed back with its sets. */
  interchange?(isa: Segment, delimiters: Delimiters): void;
  transaction(set: TransactionSet, group: Segment, interchange: InterchangeFrame<R>): R;
  interchangeEnd(frame: InterchangeFrame<R>): void;
  /** Bytes that are not X12, or segments outside any interchange. */
  unreadable(offset: number, reason: string, preview: string): void;
}

export class EnvelopeReader<R> {
  private interchange: InterchangeFrame<R> | undefined;
  private group: GroupFrame<R> | undefined;
  private set: TransactionSet | undefined;

  constructor(private readonly handler: EnvelopeHandler<R>) {}

  accept = (event: TokenEvent): void => {
    if (event.kind === 'garbage') {
      this.finishInterchange();
      this.handler.unreadable(event.offset, event.reason, event.preview);
      return;
    }
    const { segment, delimiters } = event;
    switch (segment.tag) {
      case 'ISA':
        this.finishInterchange();
        this.interchange = { isa: segment, delimiters, groups: [], iea: undefined, strays: [] };
        this.handler.interchange?.(segment, delimiters);
        return;
      case 'IEA':
        if (this.interchange === undefined) return this.handler.unreadable(segment.offset, 'IEA without an ISA', 'IEA');
        this.finishGroup();
        this.interchange.iea = segment;
        this.finishInterchange();
        return;
      case 'GS':
        if (this.interchange === undefined) return this.handler.unreadable(segment.offset, 'GS without an ISA', 'GS');
        this.finishGroup();
        this.group = { gs: segment, ge: undefined, sets: [] };
        this.interchange.groups.push(this.group);
        return;
      case 'GE':
        if (this.group === undefined) return this.stray(segment);
        this.finishSet();
        this.group.ge = segment;
        this.group = undefined;
        return;
      case 'ST':
        if (this.group === undefined) return this.stray(segment);
        this.finishSet();
        this.set = { st: segment, segments: [segment], se: undefined };
        return;
      case 'SE':
        if (this.set === undefined) return this.stray(segment);
        this.set.segments.push(segment);
        this.set.se = segment;
        this.finishSet();
        return;
      default:
        if (this.set === undefined) return this.stray(segment);
        this.set.segments.push(segment);
    }
  };

  /** End of input: whatever is still open is closed as it stands (its trailers missing). */
  end(): void {
    this.finishInterchange();
  }

  private stray(segment: Segment): void {
    if (this.interchange === undefined) this.handler.unreadable(segment.offset, `${segment.tag} outside an interchange`, segment.tag);
    else this.interchange.strays.push(segment);
  }

  private finishSet(): void {
    const { set, group, interchange } = this;
    if (set === undefined || group === undefined || interchange === undefined) return;
    this.set = undefined;
    const result = this.handler.transaction(set, group.gs, interchange);
    group.sets.push(result);
  }

  private finishGroup(): void {
    this.finishSet();
    this.group = undefined;
  }

  private finishInterchange(): void {
    this.finishGroup();
    const frame = this.interchange;
    this.interchange = undefined;
    if (frame !== undefined) this.handler.interchangeEnd(frame);
  }
}
