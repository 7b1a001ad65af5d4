module.exports = {
  displayName: 'sql-engine',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
