/** One thing wrong with an inbound document, pointing at where it is. */
export interface Problem {
  /** JSON pointer for JSON documents; the channel's own position notation for others. */
  pointer: string;
  code: string;
  detail: string;
}
