module.exports = {
  displayName: 'transform',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
