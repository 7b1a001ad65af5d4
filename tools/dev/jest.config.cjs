module.exports = {
  displayName: 'dev-launcher',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testTimeout: 120000,
  // jose (loaded by @rokks/auth-guard) is published only as an ES module,
  // which Jest cannot load on Node 20, so it is compiled to CommonJS.
  transform: {
    '/node_modules/jose/.+\\.js$': '<rootDir>/../../tools/build/jest-esm-transform.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
