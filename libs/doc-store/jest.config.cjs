module.exports = {
  displayName: 'doc-store',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
