// `custodian set` (replaceValue) keeps the form of the value it replaces where that reads back the same:
// checked by parsers no one here wrote, JSON.parse, the `yaml` package (YAML 1.2), PyYAML (YAML 1.1, as
// Python programs and Go's yaml.v2 read it) and dotenv's parser (node:util parseEnv), never by our own reader.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseEnv } from 'node:util';
import { parse as parseYaml12 } from 'yaml';
import { readValue, replaceValue } from '../../src/core/values';

/** PyYAML's reading of each document, in one run of python3. */
function pyYaml(texts: readonly string[]): unknown[] {
  const script = 'import sys, json, yaml; print(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)]))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' })) as unknown[];
}

describe('core: set keeps the form of the value it replaces', () => {
  it('YAML: a plain value stays plain when it reads back the same to YAML 1.2 and 1.1 readers; else it is quoted, never changing its type', () => {
    const doc = 'db:\n  password: fake-yaml-pass-222\n  port: 8080\n  tls: true\n  quoted: "was-quoted"\n';
    const cases: [string, string, unknown, string][] = [
      ['db.password', 'fake-yaml-pass-BOB', 'fake-yaml-pass-BOB', 'password: fake-yaml-pass-BOB'],
      ['db.password', 'yes', 'yes', 'password: "yes"'],
      ['db.password', 'On', 'On', 'password: "On"'],
      ['db.password', '12345', '12345', 'password: "12345"'],
      ['db.password', 'null', 'null', 'password: "null"'],
      ['db.password', 'a: b', 'a: b', 'password: "a: b"'],
      ['db.password', 'p#ss word', 'p#ss word', 'password: "p#ss word"'],
      ['db.port', '9090', 9090, 'port: 9090'],
      ['db.port', '0x1F', '0x1F', 'port: "0x1F"'],
      ['db.port', 'not-a-port', 'not-a-port', 'port: "not-a-port"'],
      ['db.tls', 'false', false, 'tls: false'],
      ['db.tls', 'no', 'no', 'tls: "no"'],
      ['db.quoted', 'plain-ok', 'plain-ok', 'quoted: "plain-ok"'],
    ];
    const outs = cases.map(([name, value]) => replaceValue(doc, 'yaml', name, value));
    const byPyYaml = pyYaml(outs);
    for (const [i, [name, value, read, line]] of cases.entries()) {
      const out = outs[i];
      assert.ok(out.includes(`  ${line}\n`), `${name} = ${value}: ${out}`);
      const key = name.split('.')[1];
      assert.deepEqual((parseYaml12(out) as { db: Record<string, unknown> }).db[key], read, `YAML 1.2 reads ${name} = ${value}`);
      assert.deepEqual((byPyYaml[i] as { db: Record<string, unknown> }).db[key], read, `PyYAML reads ${name} = ${value}`);
      // Only that value's text changed.
      assert.equal(out.split('\n').filter((l, j) => l !== doc.split('\n')[j]).length, 1);
    }
  });

  it('JSON: a number or boolean stays one when the new value is one; anything else is a string', () => {
    const doc = '{\n  "retries": 3,\n  "debug": false,\n  "token": "abc",\n  "nothing": null\n}\n';
    const cases: [string, string, unknown][] = [
      ['retries', '5', 5],
      ['retries', '5.5', 5.5],
      ['retries', 'five', 'five'],
      ['retries', 'true', 'true'],
      ['debug', 'true', true],
      ['debug', '1', '1'],
      ['token', '42', '42'],
      ['token', 'true', 'true'],
      ['nothing', 'null', null],
      ['nothing', 'x', 'x'],
    ];
    for (const [name, value, read] of cases) {
      const out = replaceValue(doc, 'json', name, value);
      assert.deepEqual((JSON.parse(out) as Record<string, unknown>)[name], read, `${name} = ${value}: ${out}`);
    }
  });

  it('.env: a quoted value keeps its quotes when the new value fits them; a bare one stays bare', () => {
    const doc = "A='single'\nB=\"double\"\nC=bare\n";
    const cases: [string, string, string][] = [
      ['A', 'new-value', "A='new-value'"],
      ['A', "it's", 'A="it\'s"'],
      ['B', 'new-value', 'B="new-value"'],
      ['B', 'say "hi"', 'B=\'say "hi"\''],
      ['C', 'new-value', 'C=new-value'],
      ['C', 'has space', "C='has space'"],
    ];
    for (const [name, value, line] of cases) {
      const out = replaceValue(doc, 'dotenv', name, value);
      assert.ok(out.split('\n').includes(line), `${name} = ${value}: ${out}`);
      assert.equal(parseEnv(out)[name], value, `dotenv reads ${name}`);
    }
  });

  it('.env: a value that no quoting reads back is refused, saying why, rather than written changed (a red team\'s CR became LF, a password ending in a backslash broke the file)', () => {
    const doc = 'A=1\n';
    // A backslash at the end fits unquoted when the rest does: as Node's parser reads it.
    const path = replaceValue(doc, 'dotenv', 'WINPATH', 'C:\\dir\\');
    assert.ok(path.split('\n').includes('WINPATH=C:\\dir\\'), path);
    assert.equal(parseEnv(path).WINPATH, 'C:\\dir\\');
    assert.throws(() => replaceValue(doc, 'dotenv', 'W', 'my dir\\'), /a \.env value cannot end with a backslash unless it is only letters, digits and .* \(unquoted\)/);
    assert.throws(() => replaceValue(doc, 'dotenv', 'K', 'a\rb'), /a \.env value cannot hold a carriage return \(CR\): \.env readers read it as a line break/);
    assert.throws(() => replaceValue(doc, 'dotenv', 'Q', 'x\'y"z`w'), /cannot hold all three quote characters/);
    // Every printable ASCII character but those cases, in every position: what is written reads back.
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      for (const value of [`a${ch}b${ch}`, `${ch}a${ch}b`]) {
        if (value.endsWith('\\')) continue;
        assert.equal(parseEnv(replaceValue(doc, 'dotenv', 'V', value)).V, value, JSON.stringify(value));
      }
    }
  });

  it('a new name is added where it is read, or refused: not into the last of several YAML documents (a red team\'s landed under another resource), and a CRLF .env stays CRLF', () => {
    assert.throws(() => replaceValue('a: 1\n---\nb: 2\n', 'yaml', 'newkey', 'v'), /"newkey" is not in the file, and a line added at its end would not be read as "newkey" \(in a file of several YAML documents/);
    assert.throws(() => replaceValue('a: 1\n...\n', 'yaml', 'newkey', 'v'), /would not be read as "newkey"/);
    const one = replaceValue('a: 1\n', 'yaml', 'newkey', 'v');
    assert.deepEqual(parseYaml12(one), { a: 1, newkey: 'v' });
    const crlf = replaceValue('A=1\r\nB=2', 'dotenv', 'NEWK', 'v');
    assert.equal(crlf, 'A=1\r\nB=2\r\nNEWK=v\r\n');
    assert.deepEqual(parseEnv(crlf), { A: '1', B: '2', NEWK: 'v' });
  });

  it('a name that reads two values alike (the key "a.b", and b under a) is refused by get and set, not taken as whichever comes first (a red team\'s set changed one, get read the other)', () => {
    const doc = 'a.b: dotted\na:\n  b: nested\n';
    assert.throws(() => replaceValue(doc, 'yaml', 'a.b', 'x'), /"a\.b" names 2 values in the file/);
    assert.throws(() => readValue(doc, 'yaml', 'a.b'), /"a\.b" names 2 values in the file/);
    assert.equal(readValue('a:\n  b: nested\n', 'yaml', 'a.b'), 'nested');
  });

  it('YAML: a value a standard tag does not fit (a word under !!int, text under !!binary) is refused, not written where a YAML reader would refuse the file (a red team\'s set wrote a: !!int "new"); one that fits is written', () => {
    assert.throws(() => replaceValue('a: !!int 5\nb: x\n', 'yaml', 'a', 'new'), /"a" carries a YAML tag \(such as !!int or !!binary\) that the new value does not fit/);
    assert.throws(() => replaceValue('a: !!binary aGVsbG8=\n', 'yaml', 'a', 'hello'), /carries a YAML tag/);
    const fits = replaceValue('a: !!int 5\n', 'yaml', 'a', '7');
    assert.deepEqual(parseYaml12(fits), { a: 7 });
    // A tag no standard reader knows (CloudFormation's !Ref): the file did not load before either, so set does not judge it.
    assert.deepEqual(parseYaml12(replaceValue('a: !Ref x\n', 'yaml', 'a', 'y'), { customTags: [{ tag: '!Ref', resolve: (v: string) => v }] }), { a: 'y' });
  });
});

