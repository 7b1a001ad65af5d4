module.exports = {
  displayName: 'mesh',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // @rokks/auth-guard loads jose, which is published only as an ES module
  // that Jest cannot load on Node 20.
  transform: {
    '/node_modules/jose/.+\\.js$': '<rootDir>/../../tools/build/jest-esm-transform.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
