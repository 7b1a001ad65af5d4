// Node tests (*.spec.ts, *.test.ts, the browser test in e2e/) run in Node as
// in every project. Component tests (*.test.tsx) render React into jsdom:
// each such file starts with a `@jest-environment jsdom` docblock.
const preset = require('../../jest.preset.js');

// ts-jest keeps one set of compiler options per Jest project, whichever file
// it compiles first, so .ts and .tsx files share these: the root
// tsconfig.spec.json's options plus JSX. The type check runs in
// `npm run typecheck`, with the app's tsconfig for the component tests.
const tsJest = [
  'ts-jest',
  {
    tsconfig: {
      jsx: 'react-jsx',
      module: 'commonjs',
      moduleResolution: 'node10',
      ignoreDeprecations: '6.0',
      target: 'es2022',
      esModuleInterop: true,
      isolatedModules: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      resolveJsonModule: true,
    },
  },
];

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
