import type { Channel, ChannelModel } from 'amqplib';
import { backoffDelay, errorText, type Backoff, type Link, type Logger, type Session } from './connection.ts';

// Keeps one channel of a kind open on the link's current connection: opened on every new session,
// reopened (with back-off) when the broker closes it while the connection lives on. Whoever uses
// the channel asks `current` each time and never keeps one: a delivery or a confirm belongs to the
// channel it came on, and `isOpen` tells whether that channel is still there.

export interface SlotOptions<C extends Channel> {
  /** For log lines: "publisher", "consumer of <queue>". */
  label: string;
  link: Link;
  log: Logger;
  backoff: Backoff;
  open(model: ChannelModel): Promise<C>;
  /** Runs on each new channel before it becomes current (prefetch, consume, listeners). */
  setup(channel: C): Promise<void>;
}

const closedChannels = new WeakSet<Channel>();

/** False once the channel has closed, for whatever reason; acks and nacks on it would be lost or throw. */
export function isOpen(channel: Channel): boolean {
  return !closedChannels.has(channel);
}

export class ChannelSlot<C extends Channel> {
  #channel: C | undefined;
  #session: Session | undefined;
  #opening = false;
  #stopped = false;
  #held = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #waiters = new Set<(channel: C | undefined) => void>();
  readonly #unsubscribe: () => void;

  constructor(private readonly options: SlotOptions<C>) {
    this.#unsubscribe = options.link.subscribe(() => {
      // A new connection: whatever back-off a channel on the old one was in is moot.
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#attempt = 0;
      this.#ensure();
    });
    this.#ensure();
  }

  /** The open channel on the live connection, if any. */
  get current(): C | undefined {
    const channel = this.#channel;
    return channel !== undefined && isOpen(channel) && this.#session !== undefined && !this.#session.closed ? channel : undefined;
  }

  /** The current channel, or the next one within `timeoutMs`. */
  async waitFor(timeoutMs: number): Promise<C | undefined> {
    const now = this.current;
    if (now !== undefined || this.#stopped) return now;
    return new Promise((resolve) => {
      const done = (channel: C | undefined): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve(channel);
      };
      const timer = setTimeout(() => done(undefined), Math.max(0, timeoutMs));
      this.#waiters.add(done);
    });
  }

  /** Closes the current channel on purpose (the broker cancelled our consumer, confirms stopped coming); a new one is opened at once. */
  recycle(channel: C): void {
    if (channel !== this.#channel) return;
    // Not used again from this moment, even while its close is under way (a close the broker never
    // confirms would otherwise keep it current): a new one is opened beside it.
    closedChannels.add(channel);
    this.#channel = undefined;
    void channel.close().catch(() => undefined);
    this.#ensure();
  }

  /** Opens no new channel from now on; the current one stays until stop (a consumer draining its handlers). */
  hold(): void {
    this.#held = true;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unsubscribe();
    clearTimeout(this.#timer);
    for (const wake of [...this.#waiters]) wake(undefined);
    const channel = this.#channel;
    this.#channel = undefined;
    if (channel !== undefined && isOpen(channel)) await channel.close().catch(() => undefined);
  }

  #ensure(): void {
    if (this.#stopped || this.#held || this.#opening || this.#timer !== undefined) return;
    const session = this.options.link.current;
    if (session === undefined || this.current !== undefined) return;
    this.#opening = true;
    void this.#open(session).finally(() => {
      this.#opening = false;
      // A new session may have come while this one was being opened on.
      this.#ensure();
    });
  }

  async #open(session: Session): Promise<void> {
    const { label } = this.options;
    let channel: C | undefined;
    try {
      channel = await this.options.open(session.model);
      const opened = channel;
      let reason: string | undefined;
      opened.on('error', (error: unknown) => (reason = errorText(error)));
      opened.on('close', () => this.#closed(opened, session, reason));
      await this.options.setup(opened);
    } catch (error) {
      if (channel !== undefined && isOpen(channel)) await channel.close().catch(() => undefined);
      if (!session.closed && !this.#stopped) this.#later(`${label}: opening a channel failed: ${errorText(error)}`);
      return;
    }
    if (this.#stopped || session.closed || !isOpen(channel)) {
      if (isOpen(channel)) await channel.close().catch(() => undefined);
      return;
    }
    this.#channel = channel;
    this.#session = session;
    this.#attempt = 0;
    for (const wake of [...this.#waiters]) wake(channel);
  }

  #closed(channel: C, session: Session, reason: string | undefined): void {
    closedChannels.add(channel);
    if (this.#channel === channel) this.#channel = undefined;
    if (this.#stopped) return;
    // With the connection gone too, the link logs the loss and the next session reopens us. The
    // channel closes before the connection reports its own close, so look again a tick later.
    setImmediate(() => {
      if (this.#stopped || session.closed || this.options.link.current !== session) return;
      this.#later(`${this.options.label}: channel closed${reason === undefined ? '' : ` by the broker: ${reason}`}`);
    });
  }

  #later(why: string): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const delay = backoffDelay(this.#attempt++, this.options.backoff);
    this.options.log.warn(`${why}; reopening in ${delay} ms`);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#ensure();
    }, delay);
  }
}
