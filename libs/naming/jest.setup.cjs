// Node-only helpers for this library's tests. The library ships in the browser
// bundle, so lint bans Node built-ins in all its TypeScript files, specs included.
// The specs therefore reach the file system only through this setup file.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const repositoryRoot = path.resolve(__dirname, '../..');
const casesDirectory = path.resolve(repositoryRoot, '../shared/data/cases');

/** Returns the bytes of one file of the shared CSV case collection. */
globalThis.readCaseFile = (fileName) => new Uint8Array(readFileSync(path.join(casesDirectory, fileName)));
