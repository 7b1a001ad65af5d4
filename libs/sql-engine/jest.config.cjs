const preset = require('../../jest.preset.js');

module.exports = {
  displayName: 'sql-engine',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  transform: {
    ...preset.transform,
    'node_modules/(@electric-sql|@unni-craftsman)/pglite/.+\\.cjs$': '<rootDir>/jest-dynamic-import.transform.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@electric-sql|@unni-craftsman)/pglite/)'],
  // Integration tests create databases and run PGlite in process: give them time.
  testTimeout: 60_000,
};
