import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { builtDigest, distDir, root, sourcesDigest, stampFile } from './build-state.js';

// `npm run build`: the TypeScript sources compiled into dist/ by tsc (tsconfig.build.json: no tests,
// no benchmarks; imports' .ts rewritten to .js), type-checked on the way. `npm start` runs this with
// --if-stale first (its prestart), which does nothing when dist/ was built from the sources as they
// are now: a fresh clone, a pull or an edit compiles once, every other start goes straight to node.

const ifStale = process.argv.includes('--if-stale');
const digest = sourcesDigest();
const built = builtDigest();
if (ifStale && built === digest) process.exit(0);

const say = (message) => process.stderr.write(`ordergate: ${message}\n`);
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  say(
    'dist/ is missing or older than the sources, and TypeScript is not installed to compile them: run `npm install` (with dev dependencies) and then `npm run build`',
  );
  process.exit(1);
}

say(
  `compiling the TypeScript sources into dist/ with tsc (${built === undefined ? 'no build yet' : 'the sources changed since the last build'})…`,
);
const started = performance.now();
// From empty, so that nothing compiled from a source since removed is left behind.
rmSync(distDir, { recursive: true, force: true });
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  say(`tsc failed (${run.error?.message ?? `exit code ${run.status ?? run.signal}`})${ifStale ? ': the gateway was not started' : ''}`);
  process.exit(1);
}
// Last: a build cut short leaves no stamp, so the next start compiles again.
writeFileSync(stampFile, `${digest}\n`);
say(`compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
