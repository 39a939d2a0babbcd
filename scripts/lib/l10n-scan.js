// What the extension says and where its translations are: every vscode.l10n.t('…') message in
// src/extension, every %key% in package.json, and the bundles that translate them. Shared by
// scripts/l10n-missing.js (a list for translators) and test/scripts/l10n.test.ts (fails on a gap).
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..');
/** Languages the extension ships besides English (l10n/bundle.l10n.<lang>.json, package.nls.<lang>.json). */
const LANGUAGES = ['es'];

function sourceFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/**
 * Messages passed to l10n.t in `dir` (default src/extension): Map message → first "file:line".
 * `problems` lists calls whose message is not a string literal: no bundle can translate those.
 */
function scanSources(dir = path.join(ROOT, 'src', 'extension')) {
  const messages = new Map();
  const problems = [];
  for (const file of sourceFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('l10n.t(')) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const where = (node) => `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
    const visit = (node) => {
      if (ts.isCallExpression(node) && /(^|\.)l10n\.t$/.test(node.expression.getText(sf))) {
        const first = node.arguments[0];
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          if (!messages.has(first.text)) messages.set(first.text, where(node));
        } else {
          problems.push(`${where(node)}: l10n.t needs a string literal as its message, got ${first ? first.getText(sf).slice(0, 60) : 'nothing'}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { messages, problems };
}

/** %key% placeholders used in package.json (command titles, views, settings, walkthroughs…). */
function manifestKeys(manifestPath = path.join(ROOT, 'package.json')) {
  const keys = new Set();
  const walk = (v) => {
    if (typeof v === 'string') {
      const m = /^%(.+)%$/.exec(v);
      if (m) keys.add(m[1]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(fs.readFileSync(manifestPath, 'utf8')).contributes);
  return keys;
}

function readJson(file) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

/** Placeholders {0}, {1}… in a message: a translation must keep the same set. */
function placeholders(message) {
  return [...new Set(message.match(/\{\d+\}/g) ?? [])].sort().join(' ');
}

/**
 * Gaps per language: `missing` (message → where it is used), `stale` (translated but no longer used),
 * `badPlaceholders` (translation with other {n} than its message), `nlsMissing`/`nlsStale` for package.json.
 */
function report(root = ROOT) {
  const { messages, problems } = scanSources(path.join(root, 'src', 'extension'));
  const keys = manifestKeys(path.join(root, 'package.json'));
  const nls = readJson(path.join(root, 'package.nls.json'));
  const out = { problems, messages: messages.size, manifestKeys: keys.size, nlsUndefined: [...keys].filter((k) => !(k in nls)), languages: {} };
  for (const lang of LANGUAGES) {
    const bundle = readJson(path.join(root, 'l10n', `bundle.l10n.${lang}.json`));
    const nlsLang = readJson(path.join(root, `package.nls.${lang}.json`));
    out.languages[lang] = {
      missing: [...messages].filter(([m]) => typeof bundle[m] !== 'string' || bundle[m].trim() === '').map(([m, at]) => ({ message: m, at })),
      stale: Object.keys(bundle).filter((m) => !messages.has(m)),
      badPlaceholders: Object.entries(bundle).filter(([m, t]) => messages.has(m) && typeof t === 'string' && placeholders(m) !== placeholders(t)).map(([m]) => m),
      nlsMissing: [...keys].filter((k) => typeof nlsLang[k] !== 'string' || nlsLang[k].trim() === ''),
      nlsStale: Object.keys(nlsLang).filter((k) => !keys.has(k)),
    };
  }
  return out;
}

module.exports = { ROOT, LANGUAGES, scanSources, manifestKeys, placeholders, report };
