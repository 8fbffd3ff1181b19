import { existsSync, readFileSync } from 'node:fs';

// The files the gateway reads at run time (openapi.yaml, asyncapi.yaml, mappings/…) are found from the
// package's root, never relative to the module that reads them: the same module runs from its source
// under tsx and compiled in dist/ (`npm run build`), one folder deeper, and both must find the same files.

/** The folder holding package.json: this file's own folder in the sources, its parent from dist/. */
function findPackageRoot(from: URL): URL {
  for (let folder = from; ;) {
    if (existsSync(new URL('package.json', folder))) return folder;
    const parent = new URL('..', folder);
    if (parent.href === folder.href) throw new Error(`no package.json above ${from.pathname}`);
    folder = parent;
  }
}

export const packageRoot: URL = findPackageRoot(new URL('.', import.meta.url));

/** A file or folder of the package by its path from the root, e.g. `mappings/x12/850/` (a folder ends with /). */
export const packageFile = (path: string): URL => new URL(path, packageRoot);

/** package.json's version: what `ordergate --version` prints and the gateway logs as it starts. */
export const packageVersion = (): string => (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
