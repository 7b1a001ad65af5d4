// Jest transformer that compiles ES modules from node_modules (jose, say) to
// CommonJS with SWC. Jest 30 on Node 20 cannot require an ES module, while
// Node itself can since 20.19, so only the tests need this step.
const { transformSync } = require('@swc/core');

module.exports = {
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, {
      filename: sourcePath,
      swcrc: false,
      configFile: false,
      sourceMaps: true,
      module: { type: 'commonjs' },
      jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } },
    });

    return { code, map };
  },
};
