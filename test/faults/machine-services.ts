import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { postgresAdminUrl } from '../support/databases.ts';

// Who the machine's PostgreSQL and RabbitMQ are, read without touching them: the postmaster's pid
// (its pid file) and start time, the RabbitMQ node's Erlang VM (beam.smp) pid and start time.
// The faults project's global setup takes this before the tests and again after them, and fails
// the run if either changed: the tests never stop or restart a service they did not start.

export interface ServiceIdentity {
  /** `pid@start` for each process found, sorted; empty when none runs. */
  postgres: { pidFiles: string[]; postmasterStartTime: string | null };
  rabbitmq: { beams: string[] };
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or null. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) may hold spaces: count from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function postgresPidFiles(): string[] {
  const dir = '/var/run/postgresql';
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.pid'));
  } catch {
    return [];
  }
  return names
    .map((name) => {
      const pid = Number(readFileSync(`${dir}/${name}`, 'utf8').split('\n')[0]);
      return `${name}: ${pid}@${processStart(pid) ?? 'gone'}`;
    })
    .sort();
}

async function postmasterStartTime(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ started: string }>(`SELECT pg_postmaster_start_time()::text AS started`);
    return rows[0]?.started ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The RabbitMQ node's VM: a beam.smp process that boots `rabbit`. */
function rabbitBeams(): string[] {
  const beams: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const args = cmdline.split('\u0000');
    if (!(args[0] ?? '').endsWith('beam.smp')) continue;
    if (!cmdline.includes('\u0000rabbit\u0000') && !cmdline.includes('-s\u0000rabbit')) continue;
    beams.push(`${entry}@${processStart(Number(entry)) ?? 'gone'}`);
  }
  return beams.sort();
}

export async function machineServices(): Promise<ServiceIdentity> {
  return {
    postgres: { pidFiles: postgresPidFiles(), postmasterStartTime: await postmasterStartTime() },
    rabbitmq: { beams: rabbitBeams() },
  };
}

/** What changed between two readings, one sentence each; empty when they are the same. */
export function servicesChanged(before: ServiceIdentity, after: ServiceIdentity): string[] {
  const changes: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(before.postgres.pidFiles, after.postgres.pidFiles))
    changes.push(
      `PostgreSQL postmaster: ${JSON.stringify(before.postgres.pidFiles)} before, ${JSON.stringify(after.postgres.pidFiles)} after`,
    );
  if (before.postgres.postmasterStartTime !== after.postgres.postmasterStartTime)
    changes.push(
      `PostgreSQL pg_postmaster_start_time(): ${before.postgres.postmasterStartTime ?? 'not answering'} before, ${after.postgres.postmasterStartTime ?? 'not answering'} after`,
    );
  if (!same(before.rabbitmq.beams, after.rabbitmq.beams))
    changes.push(
      `RabbitMQ node (beam.smp pid@start): ${JSON.stringify(before.rabbitmq.beams)} before, ${JSON.stringify(after.rabbitmq.beams)} after`,
    );
  return changes;
}
