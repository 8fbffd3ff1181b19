import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Where the ordergate contender of npm run bench:x12 spends its time: its child run under
// node --cpu-prof, and the top self-time functions of the profile, as a share of all samples.
// tsx compiles each file onto one line, which leaves a profile without line numbers, so the child is
// bundled with esbuild (tsx's own) first; without esbuild it runs under tsx and lines are not shown.
// Also usable alone on any profile: node --import tsx bench/x12-profile.ts FILE.cpuprofile [TOP]

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

/** Maps a line of the esbuild bundle to the source file it came from ("// adapters/x12/read.ts" markers). */
function bundleSources(bundle: string): (line: number) => { file: string; text: string } {
  const lines = bundle.split('\n');
  const fileAt: string[] = [];
  let current = '';
  for (const line of lines) {
    const marker = /^\/\/ ((?:adapters|domain|bench|api|pipeline)\/[\w./-]+\.ts)$/.exec(line);
    if (marker?.[1] !== undefined) current = marker[1];
    fileAt.push(current);
  }
  return (line) => ({ file: fileAt[line] ?? '', text: (lines[line] ?? '').trim() });
}

export function topSelfTimes(file: string, top = 15, bundle?: { path: string; text: string }): { totalMs: number; rows: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const source = bundle === undefined ? undefined : bundleSources(bundle.text);
  const bundleUrl = bundle === undefined ? undefined : pathToFileURL(bundle.path).href;
  const selfUs = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    totalUs += delta;
    let name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    let where: string;
    if (source !== undefined && frame.url === bundleUrl) {
      const { file: from, text } = source(frame.lineNumber);
      where = from;
      if (name === '(anonymous)') name = `(anonymous: ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
    } else if (frame.url.startsWith('file://')) {
      // Under tsx every function is on line 1: the line would say nothing.
      where = relative(repoRoot, fileURLToPath(frame.url));
    } else {
      where = frame.url === '' ? '' : `${frame.url}:${frame.lineNumber + 1}`;
    }
    const key = `${name} ${where}`;
    const entry = selfUs.get(key) ?? { name, where, us: 0 };
    entry.us += delta;
    selfUs.set(key, entry);
  });
  const rows = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((entry) => ({ name: entry.name, where: entry.where, ms: entry.us / 1000, share: entry.us / totalUs }));
  return { totalMs: totalUs / 1000, rows };
}

export function formatSelfTimes({ totalMs, rows }: { totalMs: number; rows: SelfTime[] }): string {
  return [
    `${(totalMs / 1000).toFixed(1)} s sampled; self time, share of all samples:`,
    ...rows.map((row) => `${(row.share * 100).toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}  ${row.where}`),
  ].join('\n');
}

/** The bundled child (or undefined without esbuild). import.meta.url is pinned to adapters/x12/, where the modules that use it live. */
async function bundleChild(dir: string): Promise<string | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const outfile = join(dir, 'x12-child.mjs');
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: ['bench/x12-child.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(repoRoot, 'adapters/x12/read.ts')).href) },
  });
  return outfile;
}

/** Runs the ordergate child under --cpu-prof into `dir` and returns the summary of its profile. */
export async function profileOrdergate(file: string, dir: string, top = 20): Promise<string> {
  const bundle = await bundleChild(dir).catch(() => undefined);
  const entry = bundle === undefined ? ['--import', 'tsx', 'bench/x12-child.ts'] : [bundle];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...entry, 'ordergate', file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`the profiled child exited with ${code}`))));
  });
  // Under tsx, the loader's worker thread writes a profile of its own: the largest is the main thread.
  const profiles = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (profiles[0] === undefined) throw new Error(`no profile in ${dir}`);
  const summary = topSelfTimes(profiles[0], top, bundle === undefined ? undefined : { path: bundle, text: readFileSync(bundle, 'utf8') });
  const run = JSON.parse(output.split('\n').at(-1) ?? '{}') as { seconds?: number };
  return [
    `profile of c (${bundle === undefined ? 'under tsx: no line numbers' : 'bundled with esbuild'}; ${run.seconds?.toFixed(1) ?? '?'} s under the profiler):`,
    formatSelfTimes(summary),
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: x12-profile.ts FILE.cpuprofile [TOP]');
  process.stdout.write(`${formatSelfTimes(topSelfTimes(file, Number(top ?? 25)))}\n`);
}
