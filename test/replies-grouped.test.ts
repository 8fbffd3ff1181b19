import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker, type Broker } from '../adapters/amqp/index.ts';
import { brokerUrl, deleteTopology, memoryLog, rawBroker, testPrefix, waitUntil } from '../adapters/amqp/test-support.ts';
import { startWorkers, type Workers } from '../app/workers.ts';
import { repliesFor, type SimulatedReply } from '../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { replyKind } from '../domain/vendor-reply.ts';
import { startTestApp, type TestApp } from './support/app.ts';

// Vendor replies applied a group per transaction, on the real RabbitMQ and PostgreSQL. The group
// here is exactly the five replies published (the consumer waits for five), so what a group does is
// not left to timing: three good replies, a second copy of one of them, and one for a task that does
// not exist. The first commit of each group fails (a deferred trigger of the test's own: it raises,
// or it ends the session as a database that goes away would); every message must survive it, since
// none may be acked before its group commits, and then each good reply is applied exactly once, in
// one transaction, the copy a duplicate, and the bad one dead-lettered with its reason as before.

const vendors = ['vendor-a', 'vendor-b', 'vendor-c'];
const x12Bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const groupSize = 5;

describe('vendor replies applied in groups', () => {
  const prefix = testPrefix();
  const log = memoryLog();
  let broker: Broker;
  let t: TestApp;
  let workers: Workers;
  let requests: FulfillmentRequest[];

  beforeAll(async () => {
    broker = connectBroker({ url: brokerUrl, prefix, connectionName: `replies-grouped-${prefix}`, log });
    await broker.ready();
    t = await startTestApp('postgres', { server: { amqp: true } });
    workers = startWorkers({
      db: t.database.db,
      fulfillment: t.deps.fulfillment,
      log: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => log.error(JSON.stringify(args)) },
      broker,
      vendors,
      idleMs: 20,
      outbound: t.deps.outbound.endpoints,
      replyGroup: { max: groupSize, windowMs: 600_000 },
    });
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12Bundle,
    });
    expect(posted.statusCode).toBe(200);
    const sentRequests = () =>
      t.database.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).whereIn('vendor_id', vendors);
    await waitUntil('the first requests sent', async () => (await sentRequests()).length >= 3, 15_000);
    const rows = (await sentRequests().orderBy('id').select('payload')) as { payload: FulfillmentRequest }[];
    requests = rows.slice(0, 3).map((row) => row.payload);
  });
  afterAll(async () => {
    await workers?.stop();
    await broker?.close();
    await t?.close();
    await deleteTopology(prefix, vendors);
  });

  /** The next commit that writes an inbox row fails, once; how many commits it saw tells whether it did. */
  async function failNextCommit(how: 'raise' | 'end the session'): Promise<() => Promise<number>> {
    const { db } = t.database;
    const fault =
      how === 'raise' ? `RAISE EXCEPTION 'test: this commit fails'` : `PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5)`;
    // A sequence, because nothing else outlives the failed transaction that counts.
    await db.raw(`DROP TRIGGER IF EXISTS test_commit_fault ON inbox; DROP SEQUENCE IF EXISTS test_commits; CREATE SEQUENCE test_commits`);
    await db.raw(`CREATE OR REPLACE FUNCTION test_commit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_commits') = 1 THEN ${fault}; END IF;
        RETURN NULL;
      END $$`);
    await db.raw(
      `CREATE CONSTRAINT TRIGGER test_commit_fault AFTER INSERT ON inbox DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_commit_fault()`,
    );
    return async () => Number((await db.raw(`SELECT last_value FROM test_commits`)).rows[0].last_value);
  }

  async function publish(replies: SimulatedReply[]): Promise<void> {
    const { model, channel } = await rawBroker();
    try {
      for (const { messageId, reply } of replies)
        channel.publish(
          broker.names.repliesExchange,
          `vendor.${reply.body.vendorId}.${replyKind(reply.type)}`,
          Buffer.from(JSON.stringify(reply.body)),
          {
            messageId,
            type: reply.type,
            appId: reply.body.vendorId,
            contentType: 'application/json',
            persistent: true,
          },
        );
      await channel.waitForConfirms();
    } finally {
      await model.close();
    }
  }

  async function expectAppliedOnce(good: SimulatedReply[], bad: SimulatedReply): Promise<void> {
    const { db } = t.database;
    const ids = good.map((r) => r.messageId);
    await waitUntil('the good replies applied', async () => (await db('inbox').whereIn('message_id', ids)).length === ids.length, 20_000);
    await waitUntil(
      'the bad reply dead-lettered',
      async () => (await db('dead_letters').where({ message_id: bad.messageId })).length === 1,
      20_000,
    );
    const inbox = (await db('inbox').whereIn('message_id', ids).select('message_id', 'outcome', 'received_at')) as {
      message_id: string;
      outcome: string;
      received_at: Date;
    }[];
    expect(inbox.map((row) => row.message_id).sort()).toEqual([...ids].sort());
    expect(inbox.every((row) => row.outcome === 'applied')).toBe(true);
    // now() is the transaction's start: one value for the whole group.
    expect(new Set(inbox.map((row) => row.received_at.toISOString())).size).toBe(1);
    const [letter] = await db('dead_letters').where({ message_id: bad.messageId }).select('reason');
    expect(letter.reason).toMatch(/^unknown-task: /);
    expect(await db('inbox').where({ message_id: bad.messageId })).toEqual([]);
  }

  const group = (step: number, tag: string) => {
    const good = requests.map((request) => repliesFor(request)[step] as SimulatedReply);
    const [first] = good as [SimulatedReply];
    const bad: SimulatedReply = {
      messageId: `unknown-task-${tag}`,
      reply: { ...first.reply, body: { ...first.reply.body, taskId: '00000000-0000-4000-8000-000000000000' } } as SimulatedReply['reply'],
    };
    // The copy right behind its original, in the same group.
    return { good, bad, published: [first, first, ...good.slice(1), bad] };
  };

  it('a group whose commit fails is requeued whole, then applied once: good replies once, the copy a duplicate, the bad one dead-lettered', async () => {
    const commits = await failNextCommit('raise');
    const { good, bad, published } = group(0, 'raise');
    expect(published).toHaveLength(groupSize);
    await publish(published);
    await expectAppliedOnce(good, bad);
    expect(await commits()).toBeGreaterThanOrEqual(2);
  });

  it('a group whose session ends at commit is held and tried again, then applied once', async () => {
    const commits = await failNextCommit('end the session');
    const { good, bad, published } = group(1, 'session');
    await publish(published);
    await expectAppliedOnce(good, bad);
    expect(await commits()).toBeGreaterThanOrEqual(2);
    expect(log.has(/^error/)).toBe(false);
  });
});
