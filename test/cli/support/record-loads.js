// Test-only (loaded with NODE_OPTIONS=--require by test/cli/lazy-load.test.ts, never by the product):
// records every module the process asks Node's loader for, and writes them as JSON lines to the file
// named by $CUSTODIAN_TEST_RECORD_LOADS when it exits. Built-ins are recorded as asked for; files by
// their resolved path.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');

const out = process.env.CUSTODIAN_TEST_RECORD_LOADS;
const loads = new Set();
const original = Module._load;
Module._load = function recordLoad(request, parent, isMain) {
  let name = request;
  if (!Module.isBuiltin(request)) {
    try {
      name = Module._resolveFilename(request, parent, isMain);
    } catch {
      // Unresolvable: Node's own load below throws the error the caller expects.
    }
  }
  loads.add(name);
  return original.apply(this, arguments);
};
process.on('exit', () => {
  if (out) fs.writeFileSync(out, [...loads].join('\n') + '\n');
});
