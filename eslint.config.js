import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const io = ['node:fs*', 'node:net', 'node:http*', 'node:child_process', 'fs', 'net', 'http', 'pg', 'knex', 'knex-pglite', 'amqplib', 'fastify', 'nodemailer'];
const layer = (forbidden, message) => ['error', { patterns: [{ group: forbidden, message }] }];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'api/openapi.gen.ts', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['bin/*.js'], languageOptions: { globals: { process: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  // The layers of DESIGN.md, checked: domain/ imports nothing outside itself and does no I/O;
  // pipeline/ knows the domain and its own ports, never an adapter or the API.
  {
    files: ['domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': layer([...io, '../pipeline/*', '../adapters/*', '../api/*', '../config*'], 'domain/ is pure: no I/O and nothing outside domain/.') },
  },
  {
    files: ['pipeline/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': layer([...io, '../adapters/*', '../api/*', '../config*'], 'pipeline/ uses adapter interfaces (pipeline/ports.ts), never adapters or the API.') },
  },
  {
    files: ['adapters/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': layer(['../../api/*', '../../../api/*'], 'adapters/ never import the API.') },
  },
);
