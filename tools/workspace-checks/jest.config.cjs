module.exports = {
  displayName: 'workspace-checks',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testTimeout: 120000,
};
