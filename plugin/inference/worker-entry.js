// Worker-thread bootstrap: lets a worker run a TypeScript module directly
// (through tsx's CommonJS hook) when the sidecar runs from source.
const { workerData } = require('node:worker_threads');

if (workerData.module.endsWith('.ts')) require('tsx/cjs');
require(workerData.module);
