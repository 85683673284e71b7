'use strict';
// Preloaded (`node --require`) into a process that loads a deployed Functions package on its own: it
// plays the Azure Functions Node.js worker's part of providing the module `@azure/functions-core`
// (the registration API `@azure/functions` calls), and prints what was registered as JSON when the
// process exits. Nothing else is provided: the package must load with its own node_modules alone.
const Module = require('node:module');

const registrations = [];
const disposable = { dispose: () => undefined };
const coreApi = {
  setProgrammingModel: () => undefined,
  registerFunction: (metadata) => {
    registrations.push(metadata);
    return disposable;
  },
  registerHook: () => disposable,
  log: () => undefined,
};

const load = Module._load;
Module._load = function loadWithWorker(request, ...rest) {
  if (request === '@azure/functions-core') return coreApi;
  return load.call(this, request, ...rest);
};

process.on('exit', () => {
  process.stdout.write(`${JSON.stringify(registrations)}\n`);
});
