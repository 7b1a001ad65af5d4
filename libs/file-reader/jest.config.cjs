module.exports = {
  displayName: 'file-reader',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
