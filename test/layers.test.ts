import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rules that keep each floor to its job, shown failing on a deliberately wrong file of
// each layer (and passing on a right one), so that a rule that silently stopped matching is caught.

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

const wrong: [string, string, RegExp][] = [
  ['domain/example.ts', "import { orderStore } from '../adapters/db/index.ts';\nexport const x = orderStore;\n", /domain\/ is pure/],
  ['domain/example.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /domain\/ is pure/],
  [
    'pipeline/example.ts',
    "import { orderStore } from '../adapters/db/index.ts';\nexport const x = orderStore;\n",
    /pipeline\/ uses adapter interfaces/,
  ],
  [
    'pipeline/example.ts',
    "import { startWorkers } from '../app/workers.ts';\nexport const x = startWorkers;\n",
    /pipeline\/ uses adapter interfaces/,
  ],
  [
    'adapters/db/example.ts',
    "import { buildServer } from '../../api/server.ts';\nexport const x = buildServer;\n",
    /adapters\/ never import/,
  ],
  [
    'adapters/x12/outbound/example.ts',
    "import { startWorkers } from '../../../app/workers.ts';\nexport const x = startWorkers;\n",
    /adapters\/ never import/,
  ],
  ['api/example.ts', "import { startWorkers } from '../app/workers.ts';\nexport const x = startWorkers;\n", /api\/ is HTTP only/],
  ['api/example.ts', "import { connectBroker } from '../adapters/amqp/index.ts';\nexport const x = connectBroker;\n", /api\/ is HTTP only/],
  ['api/example.ts', "import knex from 'knex';\nexport const x = knex;\n", /api\/ is HTTP only/],
  ['api/example.ts', 'export const x = setInterval(() => undefined, 1000);\n', /api\/ runs no timers/],
  ['api/example.ts', 'export const isa13 = (isa: { elements: string[] }) => isa.elements[12];\n', /api\/ reads no raw X12 elements/],
];

describe('layer rules in npm run lint', () => {
  it.each(wrong)('%s: a wrong file is refused (%#)', async (filePath, code, expected) => {
    const messages = await messagesFor(filePath, code);
    expect(
      messages.some((message) => expected.test(message)),
      messages.join('\n'),
    ).toBe(true);
  });

  it.each([
    ['domain/example.ts', "import { sha256Hex } from './sha256.ts';\nexport const x = sha256Hex;\n"],
    ['api/example.ts', "import { orderStore } from '../adapters/db/index.ts';\nexport const x = orderStore;\n"],
    [
      'app/example.ts',
      "import { buildServer } from '../api/server.ts';\nimport { connectBroker } from '../adapters/amqp/index.ts';\nexport const x = [buildServer, connectBroker, setInterval];\n",
    ],
  ])('%s may use what its floor allows', async (filePath, code) => {
    expect(await messagesFor(filePath, code)).toEqual([]);
  });
});
