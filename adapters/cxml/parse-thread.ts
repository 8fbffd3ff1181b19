import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { documentLimits, type DocumentLimits } from './limits.ts';
import {
  notAcceptable,
  notWellFormed,
  parserOptions,
  repeatableElements,
  storableTree,
  validatorOptions,
  wellFormedTree,
  type CxmlTree,
  type Parsed,
} from './parse.ts';
import { describeRefusal, scanXml } from './scan.ts';

// fast-xml-parser takes about 0.15 ms per kilobyte: a 5,000-line OrderRequest (1.7 MB) held the
// event loop for 0.7 s or more, and every other request with it. A large document is therefore
// checked and parsed on a thread of its own; the linear scan against the limits stays here, so a
// document over a limit never costs more than that scan. Small documents are parsed in place:
// handing them over would cost more than it saves.

/** From this many characters on, a document is parsed on the parser's thread. */
export const offThreadFromChars = 128 * 1024;

// Plain CommonJS, so that it runs the same from dist/ and from the TypeScript sources under tsx or
// vitest (a worker's entry is not run through their loaders on Node 20).
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { XMLParser, XMLValidator } = require(workerData.library);
const repeatable = new Set(workerData.repeatable);
const parser = new XMLParser({ ...workerData.options, isArray: (name) => repeatable.has(name) });
parentPort.on('message', ({ id, text }) => {
  const valid = XMLValidator.validate(text, workerData.validatorOptions);
  if (valid !== true) return parentPort.postMessage({ id, invalid: valid.err });
  try {
    parentPort.postMessage({ id, tree: parser.parse(text) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Answer {
  id: number;
  tree?: CxmlTree;
  invalid?: { line: number; col: number; msg: string };
  error?: string;
}

let thread: { worker: Worker; waiting: Map<number, (answer: Answer) => void> } | undefined;
let nextId = 0;

/** The parser's thread, started on first use and again after it died; it never keeps the process alive. */
function parserThread(): NonNullable<typeof thread> {
  if (thread !== undefined) return thread;
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      library: createRequire(import.meta.url).resolve('fast-xml-parser'),
      options: parserOptions,
      repeatable: repeatableElements,
      validatorOptions,
    },
  });
  worker.unref();
  const waiting = new Map<number, (answer: Answer) => void>();
  const started = { worker, waiting };
  worker.on('message', (answer: Answer) => {
    const caller = waiting.get(answer.id);
    waiting.delete(answer.id);
    caller?.(answer);
  });
  const died = (reason: string) => {
    if (thread === started) thread = undefined;
    for (const [id, caller] of waiting) caller({ id, error: `the parser stopped: ${reason}` });
    waiting.clear();
  };
  worker.on('error', (error) => died(error.message));
  worker.on('exit', (code) => died(`exit code ${code}`));
  thread = started;
  return started;
}

async function wellFormedTreeOffThread(text: string): Promise<Parsed> {
  const { worker, waiting } = parserThread();
  const id = nextId++;
  const answer = await new Promise<Answer>((resolve) => {
    waiting.set(id, resolve);
    // Only while a document is being parsed may the thread keep the process up.
    worker.ref();
    worker.postMessage({ id, text });
  });
  if (waiting.size === 0) worker.unref();
  if (answer.invalid !== undefined) return notWellFormed(answer.invalid);
  if (answer.tree !== undefined) return storableTree(answer.tree);
  return notAcceptable(answer.error ?? 'no tree');
}

/** parseCxmlText's answer, without holding the event loop for a large document. */
export async function parseCxmlTextOffThread(text: string, limits: DocumentLimits = documentLimits): Promise<Parsed> {
  const scanned = scanXml(text, limits);
  if (!scanned.ok) return { ok: false, failure: { status: 406, text: describeRefusal(text, scanned.refusal, limits) } };
  return text.length < offThreadFromChars ? wellFormedTree(text) : wellFormedTreeOffThread(text);
}
