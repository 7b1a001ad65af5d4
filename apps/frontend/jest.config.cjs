// Node tests (*.spec.ts, the browser test in e2e/) run in Node as in every
// project. Component tests (*.test.tsx) render React into jsdom: each such
// file starts with a `@jest-environment jsdom` docblock.
const preset = require('../../jest.preset.js');

module.exports = {
  displayName: 'frontend',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
  testMatch: [...preset.testMatch, '<rootDir>/src/**/*.test.tsx'],
  transform: {
    // Transpiled on its own like the .ts files; `npm run typecheck` checks
    // the component tests with the app's tsconfig.
    '^.+\\.tsx$': [
      'ts-jest',
      {
        tsconfig: {
          jsx: 'react-jsx',
          module: 'commonjs',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          esModuleInterop: true,
          isolatedModules: true,
          target: 'es2022',
        },
      },
    ],
  },
};
