// Generated secrets written into YAML, JSON, TOML, .env and shell files must come back exactly from
// the real parsers: js-yaml and PyYAML, JSON.parse, Python's tomllib, Node's util.parseEnv, bash.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { parseEnv } from 'node:util';
import * as yaml from 'js-yaml';
import { generatePassphrase, generatePassword, generateToken } from '../../src/core/password';
import { quoteValue, valueSyntaxFor, type ValueSyntax } from '../../src/core/value-quoting';

const N = 1500;

/** Default-policy passwords, plus passphrases with awkward separators and tokens. */
function secrets(): string[] {
  const out = Array.from({ length: N }, () => generatePassword().value);
  for (const separator of [' ', "'", '"', '#', ': ', '\\']) out.push(generatePassphrase({ separator }).value);
  out.push(generateToken().value, generateToken({ encoding: 'base64url' }).value, "'\"`all three", ' lead and trail ', '#comment', '- dash', '\\n');
  return out;
}

/** Fills each `|` of `template` (one per value) as Generate Password does; undefined where quoteValue gave up. */
function fill(template: (i: number) => string, values: string[], syntax: ValueSyntax): { text: string; skipped: Set<number> } {
  let text = '';
  const skipped = new Set<number>();
  values.forEach((v, i) => {
    const line = template(i);
    const at = line.indexOf('|');
    const before = line.slice(0, at);
    const after = line.slice(at + 1);
    const q = quoteValue(v, syntax, before.slice(-1), after.slice(0, 1));
    if (!q) {
      skipped.add(i);
      text += '# skipped\n';
      return;
    }
    text += before.slice(0, before.length - q.widen) + q.text + after.slice(q.widen);
  });
  return { text, skipped };
}

function python(script: string, input: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 64 << 20 }));
}

describe('value-quoting', function () {
  this.timeout(60_000);
  const values = secrets();

  it('YAML: plain, in a list, in a flow mapping, inside "…" and \'…\' (js-yaml and PyYAML)', () => {
    for (const template of [
      (i: number) => `k${i}: |\n`,
      (i: number) => `k${i}:\n  - |\n`,
      (i: number) => `k${i}: {v: |}\n`,
      (i: number) => `k${i}: "|"\n`,
      (i: number) => `k${i}: '|'\n`,
    ]) {
      const { text, skipped } = fill(template, values, 'yaml');
      assert.equal(skipped.size, 0);
      const unwrap = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v && typeof v === 'object' ? (v as { v: unknown }).v : v);
      const js = yaml.load(text) as Record<string, unknown>;
      const py = python('import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))', text) as Record<string, unknown>;
      values.forEach((v, i) => {
        assert.equal(unwrap(js[`k${i}`]), v, `js-yaml: ${template(i)} ${JSON.stringify(v)}`);
        assert.equal(unwrap(py[`k${i}`]), v, `PyYAML: ${template(i)} ${JSON.stringify(v)}`);
      });
    }
  });

  it('JSON: a value, inside "…", and replacing \'\' (JSON.parse)', () => {
    for (const template of [(i: number) => `"k${i}": |,\n`, (i: number) => `"k${i}": "|",\n`, (i: number) => `"k${i}": '|',\n`]) {
      const { text, skipped } = fill(template, values, 'json');
      assert.equal(skipped.size, 0);
      const doc = JSON.parse(`{${text}"end": 0}`) as Record<string, unknown>;
      values.forEach((v, i) => assert.equal(doc[`k${i}`], v, `${template(i)} ${JSON.stringify(v)}`));
    }
  });

  it("TOML: a value, inside \"…\" and '…' (Python's tomllib)", () => {
    for (const template of [(i: number) => `k${i} = |\n`, (i: number) => `k${i} = "|"\n`, (i: number) => `k${i} = '|'\n`]) {
      const { text, skipped } = fill(template, values, 'toml');
      assert.equal(skipped.size, 0);
      const doc = python('import sys, json, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))', text) as Record<string, unknown>;
      values.forEach((v, i) => assert.equal(doc[`k${i}`], v, `${template(i)} ${JSON.stringify(v)}`));
    }
  });

  it(".env: KEY=…, inside \"…\", '…', `…`, after export (Node's util.parseEnv); gives up only when no quote can hold the value", () => {
    for (const template of [(i: number) => `K${i}=|\n`, (i: number) => `K${i}="|"\n`, (i: number) => `K${i}='|'\n`, (i: number) => `export K${i}=|\n`]) {
      const { text, skipped } = fill(template, values, 'dotenv');
      const env = parseEnv(text);
      values.forEach((v, i) => {
        if (skipped.has(i)) {
          assert.ok(v.includes("'") && v.includes('`') && (v.includes('"') || /\\[nr]/.test(v)), `gave up on ${JSON.stringify(v)}`);
        } else {
          assert.equal(env[`K${i}`], v, `${template(i)} ${JSON.stringify(v)}`);
        }
      });
      assert.ok(skipped.size < values.length * 0.05, `${skipped.size} of ${values.length} need another draw`);
    }
  });

  it('shell: VAR=…, inside "…" and \'…\' (bash)', () => {
    for (const template of [(i: number) => `K${i}=|\n`, (i: number) => `K${i}="|"\n`, (i: number) => `K${i}='|'\n`]) {
      const { text, skipped } = fill(template, values, 'shell');
      assert.equal(skipped.size, 0);
      const script = `${text}\nfor i in $(seq 0 ${values.length - 1}); do v="K$i"; printf '%s\\0' "\${!v}"; done`;
      const out = execFileSync('bash', ['--noprofile', '--norc', '-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\0').slice(0, -1);
      values.forEach((v, i) => assert.equal(out[i], v, `${template(i)} ${JSON.stringify(v)}`));
    }
  });

  it('knows the syntax from the language id or the file name', () => {
    assert.equal(valueSyntaxFor('yaml', '/x/a.txt'), 'yaml');
    assert.equal(valueSyntaxFor('plaintext', '/x/compose.yml'), 'yaml');
    assert.equal(valueSyntaxFor('jsonc', 'settings.json'), 'json');
    assert.equal(valueSyntaxFor('plaintext', '/repo/.env'), 'dotenv');
    assert.equal(valueSyntaxFor('shellscript', '/repo/.env'), 'dotenv', 'the file name wins for .env');
    assert.equal(valueSyntaxFor('plaintext', '/repo/.env.local'), 'dotenv');
    assert.equal(valueSyntaxFor('plaintext', 'C:\\repo\\prod.env'), 'dotenv');
    assert.equal(valueSyntaxFor('plaintext', 'Cargo.toml'), 'toml');
    assert.equal(valueSyntaxFor('shellscript', 'x'), 'shell');
    assert.equal(valueSyntaxFor('markdown', 'README.md'), undefined);
  });
});
