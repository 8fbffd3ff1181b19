// Streaming statistics: counts and a log-bucketed latency histogram (about 2 % resolution from
// 0.01 ms to hours), so that a campaign of millions of requests keeps a few kilobytes per channel.

const base = 1.02;
const floorMs = 0.01;
const bucketCount = 1200;

export class LatencyHistogram {
  private readonly buckets = new Float64Array(bucketCount);
  count = 0;
  max = 0;
  private sum = 0;

  add(ms: number): void {
    const bucket = ms <= floorMs ? 0 : Math.min(bucketCount - 1, Math.ceil(Math.log(ms / floorMs) / Math.log(base)));
    this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The p-th percentile (0..100), as the upper edge of its bucket; never above the maximum seen. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let bucket = 0; bucket < bucketCount; bucket += 1) {
      seen += this.buckets[bucket] ?? 0;
      if (seen >= rank) return Math.min(this.max, floorMs * base ** bucket);
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
}

/**
 * Statuses are the HTTP status, or: `timeout` and `error:<code>` (no answer: a failure),
 * `client:<code>` (our HTTP client would not send it), `closed:over-limit` (the body was over the
 * gateway's limit and it closed the connection before reading it all: its right).
 */
export const isNoAnswer = (status: string): boolean => status === 'timeout' || status.startsWith('error:');

export class ChannelStats {
  readonly statuses = new Map<string, number>();
  readonly latency = new LatencyHistogram();
  inputs = 0;
  fiveXx = 0;
  hangs = 0;
  /** Slower than hangMs, within what the input's size allows. */
  slowForSize = 0;
  /** No HTTP answer at all: the connection dropped, or our own timeout. */
  noAnswer = 0;
  largestAnswerBytes = 0;
  /** The input whose answer was the largest. */
  largestAnswerIndex = -1;
  largestInputBytes = 0;

  record(index: number, status: string, ms: number, inputBytes: number, answerBytes: number, hangMs: number, allowanceMs = 0): void {
    this.inputs += 1;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.latency.add(ms);
    if (/^5\d\d$/.test(status)) this.fiveXx += 1;
    if (isNoAnswer(status)) this.noAnswer += 1;
    if (ms > hangMs + allowanceMs) this.hangs += 1;
    else if (ms > hangMs) this.slowForSize += 1;
    if (answerBytes > this.largestAnswerBytes) {
      this.largestAnswerBytes = answerBytes;
      this.largestAnswerIndex = index;
    }
    if (inputBytes > this.largestInputBytes) this.largestInputBytes = inputBytes;
  }

  /** "200 1234, 400 567, …" in order of status. */
  histogram(): string {
    return [...this.statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status} ${count}`)
      .join(', ');
  }
}
