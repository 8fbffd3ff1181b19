import { describe, expect, it } from 'vitest';
import { orderTimeline, type TimelineSources } from './timeline.ts';

const none: TimelineSources = { events: [], documents: [], tasks: [], approvals: [], notifications: [] };
const at = '2026-12-01T10:00:00.000Z';
const later = '2026-12-01T10:00:01.000Z';

const event = (id: number, from: string | null, to: string, when = at) => ({
  id,
  from,
  to,
  cause: `order.${to}`,
  actor: 'gateway',
  detail: {},
  at: when,
});

describe('orderTimeline', () => {
  it('puts entries in time order, whatever their kind', () => {
    const entries = orderTimeline({
      ...none,
      events: [event(2, 'received', 'decomposed', later)],
      documents: [{ id: 'd', direction: 'inbound', channel: 'x12', type: '850', control: {}, createdAt: at }],
    });
    expect(entries.map((e) => e.summary)).toEqual(['850 received over x12', 'received to decomposed (order.decomposed) by gateway']);
  });

  it('breaks ties by kind (decision, approval, event, document, task, notification), inbound before outbound, then id as a number', () => {
    const entries = orderTimeline({
      events: [event(10, 'decomposed', 'in_fulfillment'), event(9, 'received', 'decomposed')],
      documents: [
        { id: 'b', direction: 'outbound', channel: 'x12', type: '997', control: {}, createdAt: at },
        { id: 'a', direction: 'outbound', channel: 'x12', type: '855', control: {}, createdAt: at },
        { id: 'z', direction: 'inbound', channel: 'x12', type: '850', control: {}, createdAt: at },
      ],
      tasks: [{ id: 't', key: '1:ship', type: 'ship', vendorId: 'vendor-a', person: false, status: 'ready', dueAt: later, updatedAt: at }],
      approvals: [
        {
          id: 'ap',
          status: 'approved',
          currentLevel: 1,
          levels: [{ level: 1, name: 'sales manager' }],
          reasons: [{ code: 'total-at-least', detail: 'at least 10000' }],
          createdAt: at,
          decisions: [{ id: 1, level: 1, personName: 'Sam Sales', provider: null, decision: 'approve', comment: null, via: 'link', at }],
        },
      ],
      notifications: [
        { id: 'n', approvalId: 'ap', channel: 'email', to: 'sam@example.com', state: 'sent', attempts: 1, createdAt: at, sentAt: at },
      ],
    });
    expect(entries.map((e) => `${e.kind} ${e.ref.id}`)).toEqual([
      'decision 1',
      'approval ap',
      'event 9',
      'event 10',
      'document z',
      'document a',
      'document b',
      'task t',
      'notification n',
    ]);
  });

  it('writes the line a person reads for each kind', () => {
    const entries = orderTimeline({
      events: [event(1, null, 'received'), { ...event(2, 'pending_approval', 'pending_approval'), cause: 'approval.escalated' }],
      documents: [
        {
          id: 'd1',
          direction: 'outbound',
          channel: 'x12',
          type: '855',
          control: {},
          delivery: { state: 'delivered', attempts: 1 },
          acknowledgment: { state: 'accepted', at: later },
          createdAt: at,
        },
        {
          id: 'd2',
          direction: 'outbound',
          channel: 'x12',
          type: '810',
          control: {},
          acknowledgment: { state: null, dueAt: later },
          createdAt: later,
        },
      ],
      tasks: [
        { id: 't1', key: '1:ship', type: 'ship', vendorId: 'vendor-a', person: false, status: 'done', dueAt: later, updatedAt: at },
        { id: 't2', key: '2:check', type: 'check', vendorId: null, person: true, status: 'ready', dueAt: later, updatedAt: at },
      ],
      approvals: [
        {
          id: 'ap',
          status: 'rejected',
          currentLevel: 2,
          levels: [
            { level: 1, name: 'sales manager' },
            { level: 2, name: 'finance' },
          ],
          reasons: [
            { code: 'total-at-least', detail: 'at least 10000' },
            { code: 'first-orders', detail: 'first order' },
          ],
          createdAt: at,
          decisions: [
            { id: 1, level: 1, personName: 'Sam Sales', provider: null, decision: 'approve', comment: null, via: 'link', at },
            {
              id: 2,
              level: 2,
              personName: null,
              provider: 'docusign',
              decision: 'reject',
              comment: 'declined',
              via: 'signature',
              at: later,
            },
          ],
        },
      ],
      notifications: [
        { id: 'n', approvalId: 'ap', channel: 'sms', to: '+15550100', state: 'failed', attempts: 3, createdAt: at, sentAt: null },
      ],
    });
    const summary = (kind: string, id: string) => entries.find((e) => e.kind === kind && e.ref.id === id)?.summary;
    expect(summary('event', '1')).toBe('received (order.received) by gateway');
    expect(summary('event', '2')).toBe('approval.escalated while pending_approval, by gateway');
    expect(summary('document', 'd1')).toBe('855 sent over x12, delivery delivered, acknowledged accepted');
    expect(summary('document', 'd2')).toBe(`810 sent over x12, acknowledgment due by ${later}`);
    expect(summary('task', 't1')).toBe('task 1:ship done by vendor-a');
    expect(summary('task', 't2')).toBe('task 2:check ready for a person');
    expect(summary('approval', 'ap')).toBe('approval rejected, level 2 (finance) of 2: at least 10000; first order');
    expect(summary('decision', '1')).toBe('approval level 1 (sales manager) approved by Sam Sales via link');
    expect(summary('decision', '2')).toBe('approval level 2 (finance) rejected by docusign via signature: declined');
    expect(summary('notification', 'n')).toBe('sms to +15550100 failed after 3 attempts');
    // The received event has no from: absent, not null.
    expect(entries.find((e) => e.ref.id === '1' && e.kind === 'event')).not.toHaveProperty('from');
  });
});
