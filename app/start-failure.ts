import type { Config } from '../config.ts';

// Why the gateway could not start, in one line that names the setting to look at. The known
// causes are told in words; anything else keeps its own message (its stack is for LOG_LEVEL=debug).

type Facts = Pick<Config, 'port' | 'host' | 'dataDir' | 'databaseUrl'>;

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Where the database is, without the password. */
function databaseName(url: string | undefined): string {
  if (url === undefined) return 'the embedded database';
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'the database';
  }
}

export function explainStartFailure(error: unknown, facts: Facts): string {
  const code = codeOf(error);
  const path = (error as { path?: unknown } | null)?.path;
  switch (code) {
    case 'EADDRINUSE':
      return `PORT ${facts.port} is already in use on ${facts.host}: stop what listens there or set PORT to another port`;
    case 'EADDRNOTAVAIL':
      return `HOST ${facts.host} is not an address of this machine: set HOST to one of its addresses (or 0.0.0.0)`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ENOTDIR':
    case 'ENOSPC':
      if (typeof path === 'string' || code === 'ENOSPC')
        return `DATA_DIR ${facts.dataDir} cannot be written (${code}${typeof path === 'string' ? ` at ${path}` : ''}): point DATA_DIR at a writable folder`;
      if (code === 'EACCES') return `PORT ${facts.port} needs privileges this process does not have: choose a port above 1023`;
      break;
    case '28P01':
    case '28000':
      return `DATABASE_URL: ${databaseName(facts.databaseUrl)} refused the user or password (${messageOf(error)})`;
    case '3D000':
      return `DATABASE_URL: ${messageOf(error)} on ${databaseName(facts.databaseUrl)}: create it, or name an existing database`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DATABASE_URL: the host of ${databaseName(facts.databaseUrl)} cannot be resolved`;
  }
  return messageOf(error);
}
