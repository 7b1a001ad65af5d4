module.exports = {
  displayName: 'auth-guard',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // jose is published only as an ES module, which Jest cannot load on Node 20.
  transform: {
    '/node_modules/jose/.+\\.js$': '<rootDir>/../../tools/build/jest-esm-transform.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
