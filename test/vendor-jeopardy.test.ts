import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, orderStore, type Database } from '../adapters/db/index.ts';
import { noteLateVendorTasks } from '../pipeline/vendor-jeopardy.ts';
import { sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

// Issue 15: a vendor task still open at 80% of its SLA raises task.jeopardy in its order's history,
// at its due time task.overdue, each once, however many gateway instances ask at the same moment.
// Time is passed in: the tasks are put on a clock of the test's own (created at T).

const hours = (base: Date, h: number) => new Date(base.getTime() + h * 3_600_000);
const T = new Date('2026-12-07T09:00:00.000Z');

describe.each(databaseKinds)('late vendor tasks on %s', (kind) => {
  let t: TestApp;
  let partner: { id: string; key: string };
  // Two instances: on PostgreSQL each its own pool, so the race is between two connections (the
  // embedded database is one connection: there the two callers take turns).
  let dbs: Database[];

  beforeAll(async () => {
    t = await startTestApp(kind);
    partner = await t.partner('Late Vendors Inc');
    const url = t.database.url;
    dbs = url === undefined ? [] : [connectDatabase({ url, dataDir: '' }), connectDatabase({ url, dataDir: '' })];
  });
  afterAll(async () => {
    await Promise.all((dbs ?? []).map((db) => db.destroy()));
    await t?.close();
  });

  const stores = () => (dbs.length === 0 ? [t.database.db, t.database.db] : dbs).map((db) => orderStore(db));
  /** Both instances at once, at `now`. */
  const race = (now: Date, limit?: number) => Promise.all(stores().map((store) => noteLateVendorTasks(store, now, limit)));

  /** A new order of the sample (modem line; internet bundle: ship, activate, and the customer's own task). */
  async function order(ref: string): Promise<{ id: string; tasks: { id: string; task_key: string; person: boolean }[] }> {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': ref },
      payload: { ...sampleOrder, externalRef: ref },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    // Every task out of the way (due in 1,000 hours) unless a test puts it on its clock.
    await t.database
      .db('tasks')
      .where({ order_id: id })
      .update({ created_at: T, due_at: hours(T, 1000) });
    return { id, tasks: await t.database.db('tasks').where({ order_id: id }).orderBy('position').select('id', 'task_key', 'person') };
  }

  const events = async (cause: string, taskId: string) =>
    (await t.database
      .db('order_events')
      .where({ cause })
      .whereRaw(`detail->>'taskId' = ?`, [taskId])
      .select('order_id', 'actor', 'detail')) as {
      order_id: string;
      actor: string;
      detail: Record<string, unknown>;
    }[];

  it('warns of a task with a 10-hour SLA at 8 hours, once, and raises it overdue at 10, once, with two instances asking at once', async () => {
    const { id, tasks } = await order('LATE-1');
    const vendorTask = tasks.find((task) => task.task_key === '1:ship');
    const personTask = tasks.find((task) => task.person);
    expect(vendorTask).toBeDefined();
    expect(personTask).toBeDefined();
    const subject = vendorTask as { id: string; task_key: string };
    // A person's task on the same clock: those are the task lists' (work items), never raised here.
    await t.database
      .db('tasks')
      .whereIn('id', [subject.id, personTask?.id as string])
      .update({ due_at: hours(T, 10) });
    expect(await t.database.db('tasks').where({ id: subject.id }).first('warn_at')).toEqual({ warn_at: hours(T, 8) });

    await race(new Date(hours(T, 8).getTime() - 1));
    expect(await events('task.jeopardy', subject.id)).toEqual([]);

    await race(hours(T, 8));
    const warned = await events('task.jeopardy', subject.id);
    expect(warned).toEqual([
      {
        order_id: id,
        actor: 'gateway',
        detail: {
          taskId: subject.id,
          taskKey: '1:ship',
          type: 'ship',
          vendorId: 'vendor-a',
          dueAt: hours(T, 10).toISOString(),
          warnAt: hours(T, 8).toISOString(),
        },
      },
    ]);
    await race(hours(T, 9));
    expect(await events('task.jeopardy', subject.id)).toHaveLength(1);
    expect(await events('task.overdue', subject.id)).toEqual([]);

    await race(hours(T, 10));
    await race(hours(T, 11));
    expect(await events('task.jeopardy', subject.id)).toHaveLength(1);
    expect(await events('task.overdue', subject.id)).toEqual([
      {
        order_id: id,
        actor: 'gateway',
        detail: { taskId: subject.id, taskKey: '1:ship', type: 'ship', vendorId: 'vendor-a', dueAt: hours(T, 10).toISOString() },
      },
    ]);
    expect(await t.database.db('tasks').where({ id: subject.id }).first('warned_at', 'overdue_at')).toEqual({
      warned_at: hours(T, 8),
      overdue_at: hours(T, 10),
    });
    expect([
      ...(await events('task.jeopardy', personTask?.id as string)),
      ...(await events('task.overdue', personTask?.id as string)),
    ]).toEqual([]);
  });

  it('never warns of a task that is done (or failed, or cancelled)', async () => {
    const { tasks } = await order('LATE-2');
    const vendorTasks = tasks.filter((task) => !task.person);
    expect(vendorTasks.length).toBeGreaterThanOrEqual(3);
    const ended = ['done', 'failed', 'cancelled'];
    for (const [index, status] of ended.entries())
      await t.database
        .db('tasks')
        .where({ id: vendorTasks[index]?.id as string })
        .update({ status, due_at: hours(T, 10) });
    await race(hours(T, 8));
    await race(hours(T, 12));
    for (const task of vendorTasks.slice(0, ended.length)) {
      expect(await events('task.jeopardy', task.id)).toEqual([]);
      expect(await events('task.overdue', task.id)).toEqual([]);
    }
  });

  it('raises a task first seen past its due time overdue only, not in jeopardy after the fact', async () => {
    const { tasks } = await order('LATE-3');
    const subject = tasks.find((task) => task.task_key === '1:ship') as { id: string };
    await t.database
      .db('tasks')
      .where({ id: subject.id })
      .update({ due_at: hours(T, 10) });
    await race(hours(T, 30));
    await race(hours(T, 31));
    expect(await events('task.overdue', subject.id)).toHaveLength(1);
    expect(await events('task.jeopardy', subject.id)).toEqual([]);
  });

  it('splits many late tasks between two instances in small batches, each raised once', async () => {
    const orders = await Promise.all(['LATE-4', 'LATE-5', 'LATE-6', 'LATE-7'].map((ref) => order(ref)));
    const vendorTasks = orders.flatMap(({ tasks }) => tasks.filter((task) => !task.person));
    // Staggered due times, so that the batches cut through them.
    for (const [index, task] of vendorTasks.entries())
      await t.database
        .db('tasks')
        .where({ id: task.id })
        .update({ due_at: hours(T, 10 + index / 10) });
    const drain = async (store: ReturnType<typeof orderStore>, now: Date) => {
      let rounds = 0;
      while ((await noteLateVendorTasks(store, now, 2)).more) rounds += 1;
      return rounds;
    };
    const [a, b] = stores();
    await Promise.all([drain(a as ReturnType<typeof orderStore>, hours(T, 9)), drain(b as ReturnType<typeof orderStore>, hours(T, 9))]);
    await Promise.all([drain(a as ReturnType<typeof orderStore>, hours(T, 20)), drain(b as ReturnType<typeof orderStore>, hours(T, 20))]);
    for (const task of vendorTasks) {
      expect(await events('task.jeopardy', task.id), task.id).toHaveLength(1);
      expect(await events('task.overdue', task.id), task.id).toHaveLength(1);
    }
  });
});
