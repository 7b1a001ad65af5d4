module.exports = {
  displayName: 'mesh',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
