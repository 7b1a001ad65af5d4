module.exports = {
  displayName: 'gateway-clients',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
