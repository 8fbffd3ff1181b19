import amqp, { type ChannelModel } from 'amqplib';

// One broker connection kept up for as long as ordergate runs: connect, prepare (declare the
// topology), hand the session to whoever listens (channel slots), and after any loss reconnect
// with full-jitter exponential back-off, forever, until closed.

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const defaultBackoff: Backoff = Object.freeze({ baseMs: 200, maxMs: 10_000 });

/** "Full jitter": anywhere between 0 and the capped exponential, so many clients do not reconnect in step. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

const connectTimeoutMs = 10_000;

/**
 * Seconds between heartbeats asked of the broker: a peer that stops answering (a half-open TCP
 * connection, a host gone without a FIN) is noticed after two missed beats, about 10 s, instead of
 * the broker's 60 s default and the minutes TCP itself takes.
 */
export const heartbeatSeconds = 5;

/** The URL with `heartbeat` set, unless its owner chose one there. */
export function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** One live connection; `closed` turns true when it is lost and never back. */
export interface Session {
  readonly id: number;
  readonly model: ChannelModel;
  closed: boolean;
}

export interface LinkOptions {
  url: string;
  connectionName: string;
  log: Logger;
  backoff: Backoff;
  /** Heartbeat interval in seconds (heartbeatSeconds). */
  heartbeatSeconds?: number;
  /** Runs on every new connection before anyone may use it (topology); a failure drops the connection and retries. */
  prepare(model: ChannelModel): Promise<void>;
}

export class Link {
  #session: Session | undefined;
  #sessions = 0;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #connecting = false;
  #closed = false;
  #lostAt: number | undefined;
  readonly #listeners = new Set<(session: Session) => void>();
  /** Those waiting in waitFor: woken with the next session, or with undefined when the link closes. */
  readonly #waiters = new Set<(session: Session | undefined) => void>();

  constructor(private readonly options: LinkOptions) {}

  start(): void {
    void this.#connect();
  }

  /** The prepared, live session, if there is one now. */
  get current(): Session | undefined {
    return this.#session !== undefined && !this.#session.closed ? this.#session : undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called with every new prepared session; returns the unsubscribe. */
  subscribe(listener: (session: Session) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The current session, or the next one within `timeoutMs` (undefined if none came or the link closed). */
  async waitFor(timeoutMs: number): Promise<Session | undefined> {
    const now = this.current;
    if (now !== undefined || this.#closed) return now;
    return new Promise((resolve) => {
      const done = (session: Session | undefined): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve(session);
      };
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => done(undefined), Math.max(0, timeoutMs)) : undefined;
      this.#waiters.add(done);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const wake of [...this.#waiters]) wake(undefined);
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined && !session.closed) {
      session.closed = true;
      await session.model.close().catch(() => undefined);
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed || this.#connecting) return;
    this.#connecting = true;
    const { url, connectionName, log } = this.options;
    let model: ChannelModel;
    try {
      // The socket timeout covers only the opening handshake: a host that swallows packets fails in time.
      model = await amqp.connect(withHeartbeat(url, this.options.heartbeatSeconds ?? heartbeatSeconds), {
        clientProperties: { connection_name: connectionName },
        timeout: connectTimeoutMs,
      });
    } catch (error) {
      this.#connecting = false;
      this.#retry(`broker connection ${connectionName} failed: ${errorText(error)}`);
      return;
    }
    const session: Session = { id: ++this.#sessions, model, closed: false };
    let reason = 'connection closed';
    model.on('error', (error: unknown) => (reason = errorText(error)));
    // A close the broker initiates (CONNECTION_FORCED) comes as the argument of 'close', without an 'error'.
    model.on('close', (error: unknown) => this.#lost(session, error === undefined || error === null ? reason : errorText(error)));
    model.on('blocked', (why: unknown) => log.warn(`broker blocked connection ${connectionName} (${String(why)}): publishes wait`));
    model.on('unblocked', () => log.info(`broker unblocked connection ${connectionName}`));
    let failure: string | undefined;
    if (!this.#closed) {
      try {
        await this.options.prepare(model);
      } catch (error) {
        failure = `declaring the topology failed: ${errorText(error)}`;
        if (!session.closed) log.error(`broker connection ${connectionName}: ${failure}`);
      }
    }
    this.#connecting = false;
    if (this.#closed || failure !== undefined || session.closed) {
      const lostWhilePreparing = session.closed;
      session.closed = true;
      await model.close().catch(() => undefined);
      if (lostWhilePreparing) this.#retry(`broker connection ${connectionName} lost while preparing: ${reason}`);
      else if (failure !== undefined) this.#retry(`broker connection ${connectionName} dropped`);
      return;
    }
    this.#session = session;
    this.#attempt = 0;
    if (this.#lostAt === undefined) log.info(`broker connection ${connectionName} up`);
    else log.info(`broker connection ${connectionName} recovered after ${Date.now() - this.#lostAt} ms`);
    this.#lostAt = undefined;
    for (const listener of [...this.#listeners]) listener(session);
    for (const wake of [...this.#waiters]) wake(session);
  }

  #lost(session: Session, reason: string): void {
    if (session.closed) return;
    session.closed = true;
    if (this.#session === session) this.#session = undefined;
    if (this.#closed) return;
    this.#retry(`broker connection ${this.options.connectionName} lost: ${reason}`);
  }

  #retry(why: string): void {
    if (this.#closed || this.#timer !== undefined || this.#connecting) return;
    this.#lostAt ??= Date.now();
    const delay = backoffDelay(this.#attempt++, this.options.backoff);
    this.options.log.warn(`${why}; reconnecting in ${delay} ms`);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, delay);
  }
}
