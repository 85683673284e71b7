'use strict';
// Plays the Azure Functions Node.js worker's part in a measured process: it provides the module
// `@azure/functions-core` (the registration API `@azure/functions` calls; without it the library
// prints "test mode" warnings), keeps the hooks registered (`app.hook.appTerminate`) and runs them as
// the worker does on a graceful stop. Require it before the Functions entry point.
const Module = require('node:module');

const hooks = [];
const disposable = { dispose: () => undefined };
const coreApi = {
  setProgrammingModel: () => undefined,
  registerFunction: () => disposable,
  registerHook: (name, callback) => {
    hooks.push({ name, callback });
    return disposable;
  },
  log: () => undefined,
};

const load = Module._load;
Module._load = function loadWithWorker(request, ...rest) {
  if (request === '@azure/functions-core') return coreApi;
  return load.call(this, request, ...rest);
};

/** What the worker does when the platform stops the instance gracefully: every appTerminate hook. */
async function terminate() {
  for (const hook of hooks.filter((h) => h.name === 'appTerminate')) await hook.callback({ hookData: {} });
}

module.exports = { terminate };
