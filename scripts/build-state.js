import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

// Whether dist/ holds the sources as they are now. scripts/build.js writes a digest of every file the
// build reads into dist/ once tsc has emitted; `npm start` (its prestart) and bin/ordergate.js compare
// it with the sources' digest now, which takes a few milliseconds. A digest of the contents, not of
// times: a checkout, a copy that keeps old times, or an edit undone are all seen as what they are.

export const root = new URL('..', import.meta.url);
export const distDir = new URL('dist/', root);
export const stampFile = new URL('dist/.sources.sha256', root);

/** The files the build reads, relative to the root, sorted: tsconfig.build.json's include (tests aside) and the build's own settings. */
export function buildInputs() {
  // tsconfig files may hold comments: whole-line ones are taken out before parsing.
  const { include } = JSON.parse(readFileSync(new URL('tsconfig.build.json', root), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
  const files = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.js', 'scripts/build-state.js'];
  for (const entry of include) {
    if (entry === '*.ts') {
      files.push(...readdirSync(root).filter(isSource));
    } else if (/^[\w-]+$/.test(entry)) {
      files.push(
        ...readdirSync(new URL(`${entry}/`, root), { recursive: true })
          .filter(isSource)
          .map((file) => `${entry}/${file}`),
      );
    } else {
      throw new Error(`scripts/build-state.js reads a folder or *.ts in tsconfig.build.json's include, not "${entry}"`);
    }
  }
  return files.sort();
}

const isSource = (file) => file.endsWith('.ts') && !file.endsWith('.test.ts');

/** SHA-256 over each input's path and content. */
export function sourcesDigest() {
  const hash = createHash('sha256');
  for (const file of buildInputs())
    hash
      .update(`${file}\0`)
      .update(readFileSync(new URL(file, root)))
      .update('\0');
  return hash.digest('hex');
}

/** The digest dist/ was built from; undefined when there is no finished build. */
export function builtDigest() {
  try {
    return readFileSync(stampFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** True when dist/ was compiled from the sources as they are now. */
export const builtFromCurrentSources = () => builtDigest() === sourcesDigest();
