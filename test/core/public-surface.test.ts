// src/ holds shipped code only, and a core module exports what others use, not every helper
// (STYLE.md, "A small public surface"). Both are easy to erode one line at a time, so they are
// checked over the whole tree rather than per module.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name) && !e.parentPath.includes('node_modules'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Module specifiers of every static and dynamic import in `text`. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

describe('public surface of src/', () => {
  it('shipped code imports no test-only package and nothing under test/', () => {
    // node-forge and @noble/ciphers serve the seeded-RSA helper and the noble reference backend only.
    const testOnly = /^(node-forge|@noble\/ciphers)(\/|$)/;
    const offenders: string[] = [];
    for (const file of sourceFiles('src')) {
      for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
        const intoTest = spec.startsWith('.') && path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)[0] === 'test';
        if (testOnly.test(spec) || intoTest) offenders.push(`${path.relative(ROOT, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('every value a src/core module exports is named somewhere outside that module', () => {
    const others = [...sourceFiles('src'), ...sourceFiles('test'), ...sourceFiles('scripts')];
    const texts = new Map(others.map((f) => [f, fs.readFileSync(f, 'utf8')]));
    const unused: string[] = [];
    for (const file of sourceFiles('src/core')) {
      const text = texts.get(file)!;
      for (const m of text.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/gm)) {
        const name = m[1];
        const word = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
        const usedElsewhere = others.some((f) => f !== file && word.test(texts.get(f)!));
        if (!usedElsewhere) unused.push(`${path.relative(ROOT, file)}: ${name}`);
      }
    }
    assert.deepEqual(unused, [], 'export only what another module or a test uses; keep the rest module-private');
  });
});
