import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { LatencyHistogram } from './stats.ts';

// While the campaign runs: GET /healthz every 100 ms on a connection of its own (so that it never
// queues behind the fuzz requests: what it measures is the server's event loop), and the server's
// resident memory from /proc/<pid>/status.

export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

export interface Monitor {
  health: LatencyHistogram;
  /** /healthz polls that got no 200 (or no answer within 30 s). */
  healthFailures: number;
  peakRss: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function healthz(baseUrl: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}/healthz`, { agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export function startMonitor(baseUrl: string, pid: number, intervalMs = 100): Monitor {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  const monitor: Monitor = {
    health: new LatencyHistogram(),
    healthFailures: 0,
    peakRss: rssBytes(pid),
    stop: async () => {
      running = false;
      clearInterval(memory);
      await polling;
      agent.destroy();
    },
  };
  const memory = setInterval(() => {
    const rss = rssBytes(pid);
    if (!Number.isNaN(rss) && !(rss <= monitor.peakRss)) monitor.peakRss = rss;
  }, intervalMs);
  const polling = (async () => {
    while (running) {
      const started = performance.now();
      const status = await healthz(baseUrl, agent);
      const ms = performance.now() - started;
      monitor.health.add(ms);
      if (status !== 200) monitor.healthFailures += 1;
      await sleep(Math.max(0, intervalMs - ms));
    }
  })();
  return monitor;
}
