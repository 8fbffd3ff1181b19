#!/usr/bin/env node
// The ordergate command. It runs the compiled CLI in dist/ (`npm run build`; `npm start` builds it too)
// when dist/ was compiled from the sources as they are now; otherwise (no build yet, or the sources
// changed since) the sources themselves through tsx: slower to start, never out of date.
import { builtFromCurrentSources } from '../scripts/build-state.js';

// A closed pipe (`| head`) ends the output; it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = builtFromCurrentSources()
  ? await import('../dist/cli/main.js')
  : await (await import('tsx/esm/api')).tsImport('../cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
