#!/usr/bin/env node
// `npm test`: type-check → lint → unit (mocha) → build → integration (real VS Code; again in Spanish) →
// package the .vsix → its installed copy. Every stage runs
// even when an earlier one fails, so one run shows everything. Ends with ONE plain line
// `N passed, N failed` (plus `, N skipped` when tests were pending) over unit + integration tests;
// a failing stage without test counts (type-check, lint, build, a harness error) counts as one failure.
'use strict';
const cp = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

const stages = [
  { name: 'typecheck', cmd: bin('tsc'), args: ['-p', '.', '--noEmit'] },
  { name: 'lint', cmd: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'unit', cmd: bin('mocha'), args: [], parse: parseMocha },
  // The integration suite runs against the production (minified) bundle: what the .vsix ships.
  { name: 'build', cmd: process.execPath, args: ['esbuild.js', '--production'] },
  { name: 'integration', cmd: process.execPath, args: ['scripts/run-integration.js'], parse: parseIntegration, needs: 'build' },
  // The same VS Code with Spanish as its display language: the extension's own translations (l10n/).
  {
    name: 'integration-es',
    cmd: process.execPath,
    args: ['scripts/run-integration.js'],
    env: { CUSTODIAN_TEST_LOCALE: 'es', CUSTODIAN_TEST_GREP: '^l10n: Spanish UI ' },
    parse: parseIntegration,
    needs: 'build',
  },
  // The .vsix as a user installs it: packed from the production build, installed with
  // `code-server --install-extension`, then the activation and encrypt/decrypt suites run against it.
  { name: 'package', cmd: process.execPath, args: ['scripts/package-vsix.js'], needs: 'build' },
  {
    name: 'vsix',
    cmd: process.execPath,
    args: ['scripts/run-integration.js'],
    env: { CUSTODIAN_TEST_VSIX: 'custodian.vsix', CUSTODIAN_TEST_GREP: '^(vsix: the installed copy|activation|encrypt|decrypt) ' },
    parse: parseIntegration,
    needs: 'package',
  },
];

function stripAnsi(s) {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Mocha's spec reporter ends with "N passing (…)", "N pending", "N failing". */
function parseMocha(out) {
  const num = (re) => { const m = re.exec(out); return m ? Number(m[1]) : 0; };
  if (!/^\s*\d+ passing/m.test(out) && !/^\s*\d+ failing/m.test(out)) return null;
  return { passed: num(/^\s*(\d+) passing/m), failed: num(/^\s*(\d+) failing/m), skipped: num(/^\s*(\d+) pending/m) };
}

/** index.ts prints "[custodian-tests] passes=N failures=N pending=N" from inside the extension host. */
function parseIntegration(out) {
  const m = /\[custodian-tests\] passes=(\d+) failures=(\d+) pending=(\d+)/.exec(out);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) } : null;
}

function run(stage) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = cp.spawn(stage.cmd, stage.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...stage.env } });
    let out = '';
    const relay = (stream) => (chunk) => { out += chunk.toString(); stream.write(chunk); };
    child.stdout.on('data', relay(process.stdout));
    child.stderr.on('data', relay(process.stderr));
    child.on('error', (e) => { out += String(e); });
    child.on('close', (code, signal) => {
      resolve({ code: code === null ? `signal ${signal}` : code, seconds: (Date.now() - started) / 1000, out: stripAnsi(out) });
    });
  });
}

async function main() {
  const results = [];
  for (const stage of stages) {
    const dependency = stage.needs && results.find((r) => r.name === stage.needs);
    if (dependency && !dependency.ok) {
      console.log(`\n=== ${stage.name}: not run (${stage.needs} failed) ===`);
      results.push({ name: stage.name, ok: false, seconds: 0, counts: null, note: `not run: ${stage.needs} failed` });
      continue;
    }
    console.log(`\n=== ${stage.name}: ${path.basename(stage.cmd)} ${stage.args.join(' ')} ===`);
    const r = await run(stage);
    const counts = stage.parse ? stage.parse(r.out) : null;
    const ok = r.code === 0 && (!counts || counts.failed === 0);
    results.push({ name: stage.name, ok, seconds: r.seconds, counts, note: r.code === 0 ? '' : `exit ${r.code}` });
  }

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  console.log('\n=== summary ===');
  for (const r of results) {
    let detail = '';
    if (r.counts) {
      passed += r.counts.passed;
      failed += r.counts.failed;
      skipped += r.counts.skipped;
      detail = `${r.counts.passed} passed, ${r.counts.failed} failed${r.counts.skipped ? `, ${r.counts.skipped} skipped` : ''}`;
    }
    // A failing stage whose tests all passed (or that has no tests) still counts as one failure.
    if (!r.ok && (!r.counts || r.counts.failed === 0)) failed += 1;
    const status = r.ok ? 'ok  ' : 'FAIL';
    console.log(`${status} ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s  ${[detail, r.note].filter(Boolean).join('; ')}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
