// Every promise in the docs names the test that keeps it (docs/SECURITY.md: "a promise without such a
// test is not kept"). This checks the references themselves: each `test/…` path a document names exists,
// and each test title quoted after it ("a revert of a signed removal…") is in that file, so renaming or
// deleting a test cannot leave a promise pointing at nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Reference {
  doc: string;
  line: number;
  file: string;
  titles: string[];
}

/** `test/…` paths in a document, with the quoted titles in the parenthesis right after each. */
function referencesIn(doc: string): Reference[] {
  const refs: Reference[] = [];
  fs.readFileSync(path.join(ROOT, doc), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/`(test\/[^`\s]+)`(?:\s*\(([^)]*)\))?/g)) {
        const titles = [...(m[2] ?? '').matchAll(/"((?:[^"\\]|\\.)+)"/g)].map((q) => q[1].replace(/\\"/g, '"'));
        refs.push({ doc, line: i + 1, file: m[1], titles });
      }
    });
  return refs;
}

/** A quoted title may shorten itself with "…": each piece between must be in the file, in order. */
function hasTitle(source: string, title: string): boolean {
  const pieces = title.split(/…|\.\.\./).map((p) => p.trim()).filter(Boolean);
  let at = 0;
  for (const piece of pieces) {
    const found = source.indexOf(piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return pieces.length > 0;
}

describe('docs: every test a promise names exists', () => {
  const refs = DOCS.flatMap(referencesIn);

  it('the documents name tests at all (the parser still finds them)', () => {
    assert.ok(refs.length > 100, `only ${refs.length} references found`);
    assert.ok(refs.some((r) => r.titles.length > 0));
  });

  it('every row of a SECURITY.md table with a Test column names a test or vectors', () => {
    const bare: string[] = [];
    let header: string[] | undefined;
    fs.readFileSync(path.join(ROOT, 'docs', 'SECURITY.md'), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.startsWith('|')) return void (header = undefined);
        const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
        if (!header) return void (header = cells);
        if (/^[-: |]+$/.test(line)) return;
        const last = cells[cells.length - 1];
        // "same": the test of the row above keeps this promise too.
        if (/^test/i.test(header[header.length - 1]) && !/`test\/|\bvectors?\b|^same$/.test(last)) bare.push(`docs/SECURITY.md:${i + 1}: ${cells[0]}`);
      });
    assert.deepEqual(bare, []);
  });

  it('each named test file or directory exists', () => {
    const missing = refs.filter((r) => !fs.existsSync(path.join(ROOT, r.file.replace(/[*].*$/, '')))).map((r) => `${r.doc}:${r.line}: ${r.file}`);
    assert.deepEqual(missing, []);
  });

  it('each quoted test title is in the file named before it', () => {
    const missing: string[] = [];
    for (const r of refs) {
      const file = path.join(ROOT, r.file);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) continue;
      const source = fs.readFileSync(file, 'utf8').replace(/\\'/g, "'");
      for (const t of r.titles) if (!hasTitle(source, t)) missing.push(`${r.doc}:${r.line}: ${r.file} has no test "${t}"`);
    }
    assert.deepEqual(missing, []);
  });
});
