module.exports = {
  displayName: 'data-transform',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // jose (loaded by @rokks/auth-guard) and content-disposition (loaded by
  // @fastify/static for the Swagger UI) are published only as ES modules,
  // which Jest cannot load on Node 20, so they are compiled to CommonJS.
  transform: {
    '/node_modules/(jose|content-disposition)/.+\\.js$': '<rootDir>/../../tools/build/jest-esm-transform.cjs',
  },
  transformIgnorePatterns: ['^(?!.*/node_modules/(jose|content-disposition)/).*/node_modules/'],
};
