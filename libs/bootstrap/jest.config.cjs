module.exports = {
  displayName: 'bootstrap',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
