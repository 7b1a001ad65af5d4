module.exports = {
  displayName: 'auth-guard',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
