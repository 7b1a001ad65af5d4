// Shared Jest settings: ts-jest compiles each file on its own (isolatedModules),
// so the type check runs once in `npm run typecheck`, not per test file.
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

// Packages published only as ES modules: Jest 30 cannot require them on Node 20
// (Node itself can since 20.19), so the tests compile them to CommonJS first.
const esmOnlyPackages = [
  'jose',
  'hyparquet',
  'hyparquet-compressors',
  'openid-client',
  'oauth4webapi',
  'content-disposition',
];

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: path.join(__dirname, 'tsconfig.spec.json'),
      },
    ],
    [`/node_modules/(${esmOnlyPackages.join('|')})/.+\\.m?js$`]: path.join(
      __dirname,
      'tools/build/jest-esm-transform.cjs',
    ),
  },
  // Nested copies count too (@fastify/static/node_modules/content-disposition).
  transformIgnorePatterns: [`^(?!.*/node_modules/(${esmOnlyPackages.join('|')})/).*/node_modules/`],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, {
    prefix: `${__dirname}/`,
  }),
  testMatch: ['**/?(*.)+(spec|integration-spec).ts'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts'],
};
