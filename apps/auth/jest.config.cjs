// Packages published only as ES modules, which Jest cannot load on Node 20:
// jose (@rokks/auth-guard), openid-client with oauth4webapi (sign-in with
// identity providers), oidc-provider (the provider the tests sign in at) and
// content-disposition (@fastify/static for the Swagger UI). They are
// compiled to CommonJS first.
const esmOnlyPackages = [
  'jose',
  'openid-client',
  'oauth4webapi',
  'oidc-provider',
  'content-disposition',
];

module.exports = {
  displayName: 'auth',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  transform: {
    [`/node_modules/(${esmOnlyPackages.join('|')})/.+\\.m?js$`]:
      '<rootDir>/../../tools/build/jest-esm-transform.cjs',
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/(${esmOnlyPackages.join('|')})/).*/node_modules/`],
};
