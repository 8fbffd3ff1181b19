import { describe, expect, it } from 'vitest';
import { withHeartbeat } from './connection.ts';

describe('withHeartbeat', () => {
  it('asks for a heartbeat unless the URL chose one', () => {
    expect(withHeartbeat('amqp://guest:guest@127.0.0.1:5672', 5)).toBe('amqp://guest:guest@127.0.0.1:5672?heartbeat=5');
    expect(withHeartbeat('amqps://u:p@broker.example.com/vhost?frameMax=8192', 5)).toBe(
      'amqps://u:p@broker.example.com/vhost?frameMax=8192&heartbeat=5',
    );
    expect(withHeartbeat('amqp://u:p@broker.example.com?heartbeat=30', 5)).toBe('amqp://u:p@broker.example.com?heartbeat=30');
  });
});
