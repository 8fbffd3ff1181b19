import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

// The fault tests' proxy, against a tiny echo server: bytes go through, and each fault does what
// it says (cut, refused, held open without a byte, then delivered).

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Client {
  socket: Socket;
  received(): string;
  closed: Promise<string>;
  isClosed(): boolean;
}

/** Connects through the proxy; resolves once connected, rejects with the connection's error. */
function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    let isClosed = false;
    let reason = 'closed';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      reason = error.code ?? error.message;
      reject(error);
    });
    const closed = new Promise<string>((done) =>
      socket.on('close', () => {
        isClosed = true;
        done(reason);
      }),
    );
    socket.once('connect', () => resolve({ socket, received: () => data, closed, isClosed: () => isClosed }));
  });
}

async function eventually(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the fault tests’ TCP proxy', () => {
  let echo: Server;
  let echoPort: number;
  const echoSockets = new Set<Socket>();
  let proxy: TcpProxy | undefined;
  const clients: Client[] = [];

  const open = async (p: TcpProxy): Promise<Client> => {
    const c = await client(p.port);
    clients.push(c);
    return c;
  };
  const roundTrip = async (c: Client, text: string): Promise<void> => {
    const before = c.received().length;
    c.socket.write(text);
    await eventually(`"${text}" echoed`, () => c.received().slice(before) === text);
  };

  beforeAll(async () => {
    echo = createServer((socket) => {
      echoSockets.add(socket);
      socket.on('close', () => echoSockets.delete(socket));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await proxy?.close();
    proxy = undefined;
    await eventually('the echo server to see every connection closed', () => echoSockets.size === 0);
  });
  afterAll(async () => {
    for (const socket of echoSockets) socket.destroy();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards bytes both ways, on many connections', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    const [a, b] = await Promise.all([open(proxy), open(proxy)]);
    await roundTrip(a as Client, 'hello');
    await roundTrip(b as Client, 'world');
    // A large payload, to go through back-pressure.
    const big = 'x'.repeat(2_000_000);
    await roundTrip(a as Client, big);
    expect(proxy.stats()).toMatchObject({ accepted: 2, open: 2 });
  });

  it('cutAll destroys every open pair, on both sides; new connections work', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    const [a, b] = await Promise.all([open(proxy), open(proxy)]);
    await roundTrip(a as Client, 'one');
    await roundTrip(b as Client, 'two');
    await eventually('two connections at the echo server', () => echoSockets.size === 2);
    expect(proxy.cutAll()).toBe(2);
    await Promise.all([a?.closed, b?.closed]);
    await eventually('the echo server to see its connections closed', () => echoSockets.size === 0);
    expect(proxy.stats()).toMatchObject({ open: 0, cut: 2 });
    await roundTrip(await open(proxy), 'again');
  });

  it('refuse(ms): connection refused (ECONNREFUSED) while refusing, accepted again after; open pairs are left alone', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    const kept = await open(proxy);
    const started = Date.now();
    const back = proxy.refuse(400);
    await sleep(20);
    await expect(client(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await roundTrip(kept, 'still here');
    await back;
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    await roundTrip(await open(proxy), 'back');
  });

  it('refuse in reset mode: accepted and destroyed at once', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort, refuse: 'reset' });
    await proxy.refuseUntilResumed();
    const refused = await client(proxy.port).then(
      (c) => c.closed,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(['ECONNRESET', 'closed']).toContain(refused);
    expect(proxy.stats().refused).toBe(1);
    expect(echoSockets.size).toBe(0);
    await proxy.resume();
    await roundTrip(await open(proxy), 'back');
  });

  it('refuseUntilResumed holds until resume()', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    await proxy.refuseUntilResumed();
    await sleep(300);
    await expect(client(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.resume();
    await roundTrip(await open(proxy), 'resumed');
  });

  it('blackhole: connections stay open, no byte goes either way, new ones are accepted and get nothing; unblackhole delivers what was held', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    const old = await open(proxy);
    await roundTrip(old, 'before');
    await eventually('one connection at the echo server', () => echoSockets.size === 1);
    proxy.blackhole();
    old.socket.write('held');
    const fresh = await open(proxy);
    fresh.socket.write('queued');
    await sleep(300);
    expect(old.received()).toBe('before');
    expect(fresh.received()).toBe('');
    expect(old.isClosed() || fresh.isClosed()).toBe(false);
    // The new connection never reached the service.
    expect(echoSockets.size).toBe(1);

    proxy.unblackhole();
    await eventually('the held bytes echoed', () => old.received() === 'beforeheld' && fresh.received() === 'queued');
    await roundTrip(old, 'after');
  });

  it('blackhole: a client that gives up meanwhile is closed towards the service only once the blackhole ends', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    const c = await open(proxy);
    await roundTrip(c, 'hi');
    proxy.blackhole();
    c.socket.destroy();
    await sleep(200);
    expect(echoSockets.size, 'the service still sees the connection (half-open)').toBe(1);
    proxy.unblackhole();
    await eventually('the service to see the close', () => echoSockets.size === 0);
  });

  it('close() ends every pair and stops listening', async () => {
    proxy = await startTcpProxy({ targetPort: echoPort });
    const c = await open(proxy);
    const port = proxy.port;
    await proxy.close();
    proxy = undefined;
    await c.closed;
    await expect(client(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
