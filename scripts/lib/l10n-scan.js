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

// Where a string reaches the user: arguments of these calls, these properties, `new X(...)` of these.
const SHOWN_CALLS = /\.(show(Information|Warning|Error)Message|setStatusBarMessage|appendMarkdown)$/;
const SHOWN_NEW = /^(vscode\.TreeItem|vscode\.MarkdownString|vscode\.CodeLens|\w+Error)$/;
const SHOWN_PROPERTIES = new Set(['label', 'description', 'detail', 'tooltip', 'title', 'prompt', 'placeHolder', 'placeholder', 'message', 'hint', 'openLabel', 'saveLabel', 'text']);

/** A literal that reads as words (not an id, a glob, a codicon or a format like `${a} · ${b}`). */
function wordy(node) {
  const text = ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('') : node.text;
  const words = text.replace(/\$\([\w-]+\)/g, '').trim();
  // Ids, setting names and file names are one token; a message has a space or is a capitalised word.
  return /[A-Za-z]{2}/.test(words) && (/\s/.test(words) || /^[A-Z][a-z]+$/.test(words));
}

/** The position `node` is in, when it reaches the user (climbing through `a ? b : c`, `a ?? b`, `a || b`, parentheses). */
function shownPosition(node, sf) {
  let cur = node;
  let p = node.parent;
  while (
    p &&
    ((ts.isConditionalExpression(p) && cur !== p.condition) ||
      ts.isParenthesizedExpression(p) ||
      (ts.isBinaryExpression(p) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(p.operatorToken.kind)))
  ) {
    cur = p;
    p = p.parent;
  }
  if (!p) return undefined;
  if (ts.isCallExpression(p) && p.arguments.includes(cur) && SHOWN_CALLS.test(p.expression.getText(sf))) return p.expression.getText(sf).split('.').pop();
  if (ts.isNewExpression(p) && p.arguments?.[0] === cur && SHOWN_NEW.test(p.expression.getText(sf))) return `new ${p.expression.getText(sf)}`;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.initializer === cur && SHOWN_PROPERTIES.has(p.name.getText(sf))) return p.name.getText(sf);
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === cur && ts.isPropertyAccessExpression(p.left) && SHOWN_PROPERTIES.has(p.left.name.text)) return p.left.name.text;
  return undefined;
}

/**
 * Words shown to the user without l10n.t: "file:line: text (where)". A line (or the line above it)
 * saying `l10n-ignore: <why>` is skipped, for the rare literal that must stay as it is.
 */
function untranslatedLiterals(dir = path.join(ROOT, 'src', 'extension')) {
  const found = [];
  for (const file of sourceFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && /(^|\.)l10n\.t$/.test(node.expression.getText(sf))) return;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
        const at = shownPosition(node, sf);
        if (at && wordy(node)) {
          const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          if (!/l10n-ignore/.test(lines[line]) && !/l10n-ignore/.test(lines[line - 1] ?? '')) {
            found.push(`${path.relative(ROOT, file)}:${line + 1}: ${node.getText(sf).slice(0, 100)} (${at})`);
          }
        }
        if (!ts.isTemplateExpression(node)) return;
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
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
  walk(JSON.parse(fs.readFileSync(manifestPath, 'utf8')));
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
  const out = { problems, untranslated: untranslatedLiterals(path.join(root, 'src', 'extension')), messages: messages.size, manifestKeys: keys.size, nlsUndefined: [...keys].filter((k) => !(k in nls)), languages: {} };
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

module.exports = { ROOT, LANGUAGES, scanSources, manifestKeys, placeholders, untranslatedLiterals, report };
