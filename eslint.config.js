import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const io = [
  'node:fs*',
  'node:net',
  'node:http*',
  'node:child_process',
  'fs',
  'net',
  'http',
  'pg',
  'knex',
  'knex-pglite',
  'amqplib',
  'fastify',
  'nodemailer',
];
const layer = (forbidden, message) => ['error', { patterns: [{ group: forbidden, message }] }];
const above = (folder) => [`../${folder}/*`, `../../${folder}/*`, `../../../${folder}/*`];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'api/openapi.gen.ts', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['bin/*.js', 'scripts/*.js'], languageOptions: { globals: { process: 'readonly', performance: 'readonly', URL: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  // The layers of DESIGN.md, checked both ways (test/layers.test.ts shows each rule failing):
  // domain/ imports nothing outside itself and does no I/O; pipeline/ knows the domain and its own
  // ports, never an adapter; adapters/ never the API or the process; api/ is HTTP only: no app/, no
  // broker, no SQL, no timers, no raw X12 elements. Only app/ wires everything together.
  {
    files: ['domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': layer(
        [...io, '../pipeline/*', '../adapters/*', '../api/*', '../app/*', '../config*'],
        'domain/ is pure: no I/O and nothing outside domain/.',
      ),
    },
  },
  {
    files: ['pipeline/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': layer(
        [...io, '../adapters/*', '../api/*', '../app/*', '../config*'],
        'pipeline/ uses adapter interfaces (pipeline/ports.ts), never adapters, the API or the process.',
      ),
    },
  },
  {
    files: ['adapters/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': layer([...above('api'), ...above('app')], 'adapters/ never import the API or the process (app/).') },
  },
  {
    files: ['api/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': layer(
        [...above('app'), ...above('adapters/amqp'), 'amqplib', 'knex', 'knex-pglite', 'pg'],
        'api/ is HTTP only: the process (app/) hands it what it needs; SQL lives in adapters/db, the broker in app/.',
      ),
      'no-restricted-globals': [
        'error',
        { name: 'setInterval', message: 'api/ runs no timers: periodic work is a named job in app/scheduler.ts.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='elements'][computed=false]",
          message: 'api/ reads no raw X12 elements: adapters/x12 names them.',
        },
      ],
    },
  },
);
