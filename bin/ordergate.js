#!/usr/bin/env node
// The ordergate command. The sources are TypeScript run through tsx, as `npm start` does.
import { tsImport } from 'tsx/esm/api';

// A closed pipe (`| head`) ends the output; it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await tsImport('../cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
