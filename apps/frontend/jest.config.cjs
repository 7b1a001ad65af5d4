// Node tests (*.spec.ts, *.test.ts, the browser test in e2e/) run in Node as
// in every project. Component tests (*.test.tsx) render React into jsdom:
// each such file starts with a `@jest-environment jsdom` docblock.
const path = require('node:path');

const preset = require('../../jest.preset.js');

// ts-jest keeps one set of compiler options per Jest project, whichever file
// it compiles first, so .ts and .tsx files share one tsconfig: the root
// tsconfig.spec.json plus JSX. Nx reads this path to find the project's
// inputs, so it stays a file rather than inline options. The type check
// runs in `npm run typecheck`, with the app's tsconfig for the component tests.
const tsJest = ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.jest.json') }];

module.exports = {
  displayName: 'frontend',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
  testMatch: [...preset.testMatch, '<rootDir>/src/**/*.test.ts?(x)'],
  transform: {
    // Replaces the preset's entry of the same pattern.
    '^.+\\.ts$': tsJest,
    '^.+\\.tsx$': tsJest,
  },
};
