#!/usr/bin/env node
// Lists what the extension says without a translation: `node scripts/l10n-missing.js [--json]`.
// Also lists words shown to the user that do not go through vscode.l10n.t at all.
// Plain output: one line per gap with where the string is used. --json: for each language a
// { "English message": "" } object to fill in and merge into l10n/bundle.l10n.<lang>.json
// (and the package.json keys for package.nls.<lang>.json). Exit code 1 when anything is missing.
'use strict';
const { report } = require('./lib/l10n-scan');

const r = report();
const json = process.argv.includes('--json');
let gaps = r.problems.length + r.untranslated.length + r.nlsUndefined.length;
for (const l of Object.values(r.languages)) gaps += l.missing.length + l.badPlaceholders.length + l.nlsMissing.length;

if (json) {
  const out = {};
  for (const [lang, l] of Object.entries(r.languages)) {
    out[`l10n/bundle.l10n.${lang}.json`] = Object.fromEntries(l.missing.map((m) => [m.message, '']));
    out[`package.nls.${lang}.json`] = Object.fromEntries(l.nlsMissing.map((k) => [k, '']));
  }
  console.log(JSON.stringify(out, null, 2));
} else {
  for (const p of r.problems) console.log(`error: ${p}`);
  for (const u of r.untranslated) console.log(`not through l10n.t: ${u}`);
  for (const k of r.nlsUndefined) console.log(`package.json: %${k}% is not defined in package.nls.json`);
  for (const [lang, l] of Object.entries(r.languages)) {
    for (const m of l.missing) console.log(`${lang}: missing: ${JSON.stringify(m.message)}  (${m.at})`);
    for (const m of l.badPlaceholders) console.log(`${lang}: placeholders differ: ${JSON.stringify(m)}`);
    for (const k of l.nlsMissing) console.log(`${lang}: package.nls.${lang}.json lacks "${k}"`);
    for (const m of l.stale) console.log(`${lang}: unused (can go): ${JSON.stringify(m)}`);
    for (const k of l.nlsStale) console.log(`${lang}: package.nls.${lang}.json: unused key "${k}"`);
  }
  console.log(`${r.messages} messages, ${r.manifestKeys} package.json keys; ${gaps === 0 ? 'nothing missing' : `${gaps} to fix`}`);
}
process.exit(gaps === 0 ? 0 : 1);
