import { connect, createServer, type Server, type Socket } from 'node:net';

// A TCP proxy of the test's own, between the gateway and a service (PostgreSQL, RabbitMQ): the
// faults are injected here, on the test's own connections, and the machine's services are never
// stopped, restarted or told to close anybody's connections.
//
//   cutAll()              every open connection pair destroyed at once (a broker that closes its
//                         connections, a server that goes away, a reset from the network)
//   refuse(ms)            new connections refused for ms (then accepted again); `refuseUntilResumed`
//                         and `resume` for an outage of a length the test decides. `refuse: 'reset'`
//                         accepts and destroys at once; `'closed'` (the default) stops listening,
//                         so a client gets ECONNREFUSED, as from a stopped service
//   blackhole()           half-open TCP: every connection stays open but no byte goes either way
//                         (nor a close); new connections are accepted and get nothing either.
//                         `unblackhole()` forwards what was held and carries on
//   close()               stops listening and destroys every pair
//
// The bytes held during a blackhole are delivered afterwards, as TCP would retransmit them once
// a partition heals; a peer that gave up in the meantime has closed its end, and that close is
// delivered then too.

export interface TcpProxyOptions {
  targetHost?: string;
  targetPort: number;
  /** How refused connections are refused: no listener (ECONNREFUSED), or accepted and reset. */
  refuse?: 'closed' | 'reset';
}

export interface TcpProxyStats {
  /** Connections accepted from clients, ever. */
  accepted: number;
  /** Connections refused (reset mode) while refusing. */
  refused: number;
  /** Pairs open now. */
  open: number;
  /** Pairs destroyed by cutAll. */
  cut: number;
}

export interface TcpProxy {
  host: string;
  port: number;
  /** `host:port` of the proxy, for URLs. */
  address: string;
  stats(): TcpProxyStats;
  cutAll(): number;
  /** Refuses new connections for `ms`; the promise resolves when they are accepted again. */
  refuse(ms: number): Promise<void>;
  refuseUntilResumed(): Promise<void>;
  resume(): Promise<void>;
  blackhole(): void;
  unblackhole(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** Chunks read while blackholed, per direction, delivered on unblackhole. */
  held: { up: Buffer[]; down: Buffer[] };
  /** A side that ended or closed while blackholed: delivered on unblackhole. */
  closedWhileHeld: boolean;
  done: boolean;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const refuseMode = options.refuse ?? 'closed';
  const pairs = new Set<Pair>();
  const stats = { accepted: 0, refused: 0, cut: 0 };
  let refusing = false;
  let blackholed = false;
  let closed = false;
  let listening = false;
  let resumeTimer: NodeJS.Timeout | undefined;
  let resumed: Promise<void> = Promise.resolve();
  let resolveResumed: (() => void) | undefined;

  const destroyPair = (pair: Pair): void => {
    if (pair.done) return;
    pair.done = true;
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  /** Forwards `from` → `to`, holding (and pausing `from`) while blackholed. */
  const forward = (pair: Pair, from: Socket, to: () => Socket | undefined, held: Buffer[]): void => {
    from.on('data', (chunk: Buffer) => {
      const target = to();
      if (blackholed || target === undefined) {
        held.push(chunk);
        from.pause();
        return;
      }
      if (!target.write(chunk)) {
        from.pause();
        target.once('drain', () => {
          if (!blackholed && !pair.done) from.resume();
        });
      }
    });
    from.on('error', () => undefined);
    from.on('close', () => {
      if (blackholed) pair.closedWhileHeld = true;
      else destroyPair(pair);
    });
  };

  const connectUpstream = (pair: Pair): void => {
    const upstream = connect({ host: targetHost, port: options.targetPort });
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    forward(pair, upstream, () => pair.client, pair.held.down);
    upstream.once('connect', () => flush(pair));
  };

  /** Delivers what was held and lets bytes flow again. */
  const flush = (pair: Pair): void => {
    if (pair.done || blackholed) return;
    if (pair.closedWhileHeld) {
      // One side gave up while nothing went through: deliver what it said, then its close.
      for (const chunk of pair.held.up.splice(0)) pair.upstream?.write(chunk);
      for (const chunk of pair.held.down.splice(0)) pair.client.write(chunk);
      pair.client.end();
      pair.upstream?.end();
      setTimeout(() => destroyPair(pair), 100).unref();
      return;
    }
    const upstream = pair.upstream;
    if (upstream === undefined) return connectUpstream(pair);
    if (upstream.connecting) return; // flushed on 'connect'
    for (const chunk of pair.held.up.splice(0)) upstream.write(chunk);
    for (const chunk of pair.held.down.splice(0)) pair.client.write(chunk);
    pair.client.resume();
    upstream.resume();
  };

  const server: Server = createServer((client) => {
    stats.accepted += 1;
    client.setNoDelay(true);
    if (refusing || closed) {
      stats.refused += 1;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined, held: { up: [], down: [] }, closedWhileHeld: false, done: false };
    pairs.add(pair);
    forward(pair, client, () => (pair.upstream?.connecting === false ? pair.upstream : undefined), pair.held.up);
    // Half-open from the start: accepted, and nothing reaches the service until the blackhole ends.
    if (!blackholed) connectUpstream(pair);
  });
  server.on('error', () => undefined);

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const unlisten = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve();
      listening = false;
      // close() stops accepting at once; its callback waits for open connections, which we keep.
      server.close();
      resolve();
    });

  await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  const port = address.port;

  const startRefusing = async (): Promise<void> => {
    clearTimeout(resumeTimer);
    if (!refusing) {
      refusing = true;
      resumed = new Promise((resolve) => (resolveResumed = resolve));
      if (refuseMode === 'closed') await unlisten();
    }
  };

  const proxy: TcpProxy = {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    stats: () => ({ ...stats, open: pairs.size }),
    cutAll() {
      const n = pairs.size;
      for (const pair of [...pairs]) destroyPair(pair);
      stats.cut += n;
      return n;
    },
    async refuse(ms) {
      await startRefusing();
      const until = resumed;
      resumeTimer = setTimeout(() => void proxy.resume(), ms);
      return until;
    },
    async refuseUntilResumed() {
      await startRefusing();
    },
    async resume() {
      clearTimeout(resumeTimer);
      if (!refusing) return;
      if (!closed && refuseMode === 'closed' && !listening) {
        // The same port again (a client's URL names it); retried briefly should it be taken for a moment.
        for (let attempt = 0; ; attempt += 1) {
          try {
            await listen(port);
            break;
          } catch (error) {
            if (attempt >= 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
      refusing = false;
      resolveResumed?.();
      resolveResumed = undefined;
    },
    blackhole() {
      blackholed = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    unblackhole() {
      blackholed = false;
      for (const pair of [...pairs]) flush(pair);
    },
    async close() {
      closed = true;
      clearTimeout(resumeTimer);
      blackholed = false;
      for (const pair of [...pairs]) destroyPair(pair);
      await unlisten();
      refusing = false;
      resolveResumed?.();
    },
  };
  return proxy;
}
