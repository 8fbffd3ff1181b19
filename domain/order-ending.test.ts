import { describe, expect, it } from 'vitest';
import { endWork, type OpenWork } from './order-ending.ts';
import { taskStatuses } from './task-status.ts';

const at = new Date('2024-05-01T12:00:00.000Z');
const vendorTask = (id: string, status: OpenWork['tasks'][number]['status']) => ({ id, vendorId: 'vendor-a', person: false, status });

describe('ending an order', () => {
  it('cancels every task not finished and leaves done, failed and cancelled ones be', () => {
    const work: OpenWork = { orderId: 'o-1', tasks: taskStatuses.map((status) => vendorTask(status, status)), unsentRequests: [] };
    expect(endWork(work, { kind: 'cancelled' }, at).cancelTasks).toEqual(['blocked', 'ready', 'dispatched', 'acknowledged', 'in_progress']);
  });

  it('tells only the vendors that have a task in hand and have not finished it', () => {
    const work: OpenWork = {
      orderId: 'o-1',
      tasks: [
        ...taskStatuses.map((status) => vendorTask(status, status)),
        { id: 'person', vendorId: null, person: true, status: 'acknowledged' },
        { id: 'nobody', vendorId: null, person: false, status: 'dispatched' },
      ],
      unsentRequests: [],
    };
    const { cancels } = endWork(work, { kind: 'cancelled' }, at);
    expect(cancels.map((cancel) => cancel.taskId)).toEqual(['dispatched', 'acknowledged', 'in_progress']);
    expect(cancels[0]).toEqual({
      taskId: 'dispatched',
      orderId: 'o-1',
      vendorId: 'vendor-a',
      cancelledAt: '2024-05-01T12:00:00.000Z',
      reason: 'order cancelled',
    });
  });

  it('drops the requests not yet handed out', () => {
    expect(endWork({ orderId: 'o-1', tasks: [], unsentRequests: ['41', '42'] }, { kind: 'cancelled' }, at).dropRequests).toEqual([
      '41',
      '42',
    ]);
  });

  it('gives the reason the order ended, for the vendors and the dropped requests', () => {
    const work: OpenWork = { orderId: 'o-1', tasks: [vendorTask('t-1', 'in_progress')], unsentRequests: [] };
    expect(endWork(work, { kind: 'cancelled' }, at).reason).toBe('order cancelled');
    const failed = endWork(work, { kind: 'failed', cause: 'order.fulfillment-failed' }, at);
    expect(failed.reason).toBe('order failed: order.fulfillment-failed');
    expect(failed.cancels[0]?.reason).toBe('order failed: order.fulfillment-failed');
  });
});
