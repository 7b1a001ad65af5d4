module.exports = {
  displayName: 'registry',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // content-disposition (loaded by @fastify/static, which serves the Swagger
  // UI) is published only as an ES module, like jose, so Jest compiles both
  // to CommonJS. This pattern replaces the preset's, so it names jose too.
  transform: {
    '/node_modules/content-disposition/.+\\.js$':
      '<rootDir>/../../tools/build/jest-esm-transform.cjs',
  },
  transformIgnorePatterns: ['^(?!.*/node_modules/(jose|content-disposition)/).*/node_modules/'],
};
