// PGlite's CommonJS build loads Node modules with `import("fs/promises")`,
// which Jest's module sandbox only allows under --experimental-vm-modules.
// This transform rewrites such calls with a literal module name to `require`,
// captured at the top because the bundle declares a `var require` of its own.
const DYNAMIC_IMPORT = /\bimport\((["'][^"']+["'])\)/g;

module.exports = {
  process(source) {
    const code = source.replace(DYNAMIC_IMPORT, 'Promise.resolve(__jestRequire($1))');

    return { code: `const __jestRequire = require;${code}` };
  },
  getCacheKey(source, filename) {
    return `dynamic-import-v2:${filename}:${source.length}`;
  },
};
