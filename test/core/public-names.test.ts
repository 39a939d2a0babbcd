// Which values Encrypt Values offers to leave readable (src/core/public-names.ts, VALUES.md §5): names
// that say they are public, and a rule that leaves exactly those in the clear. Real .env files whose
// frameworks send such values to the browser (test/fixtures/dotenv-wild, SOURCES.md), then random ones.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { PUBLIC_CONVENTIONS, publicRule } from '../../src/core/public-names';
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { FormatError } from '../../src/core/errors';
import { namesInTheClear, openValues, publicValues, readableChoices, sealValues } from '../../src/core/values';
import { clearMatcher, ruleNaming, ruleToString } from '../../src/core/values-metadata';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const WILD = join(__dirname, '..', 'fixtures', 'dotenv-wild');
const VALUES_WILD = join(__dirname, '..', 'fixtures', 'values-wild');
const backend = createNodeCryptoBackend();
const alice = loadKey('alice');

describe('public names: the values Encrypt Values offers to leave readable', () => {
  it('a Next.js .env.example (shadcn-ui/taxonomy): NEXT_PUBLIC_APP_URL alone, with a rule that names that prefix only', async () => {
    const text = readFileSync(join(WILD, 'shadcn-ui__taxonomy__dotenv.example.txt'), 'utf8');
    const found = publicValues(text, 'dotenv');
    assert.ok(found);
    assert.deepEqual(found.names, ['NEXT_PUBLIC_APP_URL']);
    assert.equal(ruleToString(found.rule), 'unencrypted-regex:^NEXT_PUBLIC_');
    // Sealed with it: that value as written, every other one a token (NEXTAUTH_URL shares no prefix).
    const sealed = await sealValues(text, { format: 'dotenv', recipients: [alice.publicKey], signer: undefined, backend, rule: found.rule });
    assert.match(sealed, /^NEXT_PUBLIC_APP_URL=http:\/\/localhost:3000$/m);
    assert.match(sealed, /^NEXTAUTH_URL=custodian-val1\./m);
    assert.match(sealed, /^DATABASE_URL=custodian-val1\./m);
    assert.equal((await openValues(sealed, { format: 'dotenv', identities: [alice], backend })).document, text);
  });

  it('a Vite .env.example (hoppscotch): every VITE_ name is listed, so the user sees the access token among them before answering', () => {
    const text = readFileSync(join(WILD, 'hoppscotch__hoppscotch__dotenv.example.txt'), 'utf8');
    const found = publicValues(text, 'dotenv');
    assert.ok(found);
    assert.ok(found.names.includes('VITE_PROXYSCOTCH_ACCESS_TOKEN'));
    assert.ok(found.names.every((n) => n.startsWith('VITE_')), found.names.join());
    assert.deepEqual(found.conventions.map((c) => c.frameworks), [['Vite']]);
    assert.deepEqual(found.names, namesInTheClear(text, 'dotenv', found.rule));
  });

  it('the suffix alone keeps the rule SOPS users know; several conventions make one regex, in the table\'s order', () => {
    assert.equal(ruleToString(publicValues('API_URL_PUBLIC=x\nDB_PASSWORD=y\n', 'dotenv')!.rule), 'unencrypted-suffix:_PUBLIC');
    assert.equal(ruleToString(publicValues('VITE_A=1\nCDN_PUBLIC=2\nREACT_APP_B=3\n', 'dotenv')!.rule), 'unencrypted-regex:_PUBLIC$|^VITE_|^REACT_APP_');
    assert.equal(publicValues('DB_PASSWORD=y\n', 'dotenv'), undefined);
    assert.equal(ruleToString(publicRule([])), 'all');
  });

  it('look-alikes stay encrypted: a prefix inside a name, a bare PUBLIC_, another case', () => {
    const text = 'MY_VITE_SECRET=a\nPUBLIC_KEY_PASSPHRASE=b\nvite_token=c\nNEXT_PUBLICATION=d\nPUBLIC=e\nX_PUBLIC_Y=f\n';
    assert.equal(publicValues(text, 'dotenv'), undefined);
  });

  it('in JSON and YAML a segment anywhere in the path counts, as §5 says', () => {
    const found = publicValues('{"web": {"NEXT_PUBLIC_URL": "u", "secret": "s"}, "key_PUBLIC": {"a": "b"}}', 'json');
    assert.ok(found);
    assert.deepEqual(found.names, ['web.NEXT_PUBLIC_URL', 'key_PUBLIC.a']);
    assert.deepEqual(publicValues('app:\n  VITE_X: 1\n  password: p\n', 'yaml')?.names, ['app.VITE_X']);
  });

  it('for random .env files: the names listed are exactly those the rule leaves in the clear, and a name without a convention is never one (fast-check)', () => {
    const prefix = fc.constantFrom('', '', 'NEXT_PUBLIC_', 'VITE_', 'REACT_APP_', 'EXPO_PUBLIC_', 'NUXT_PUBLIC_', 'VUE_APP_', 'GATSBY_', 'PUBLIC_', 'MY_VITE_', 'next_public_');
    const suffix = fc.constantFrom('', '', '_PUBLIC', '_PUBLIC_X', 'PUBLIC', '_public');
    const name = fc.tuple(prefix, fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), suffix).map(([p, n, s]) => p + n + s);
    const conventional = (n: string): boolean => PUBLIC_CONVENTIONS.some((c) => new RegExp(c.pattern, 'u').test(n));
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 12 }), (names) => {
        const text = names.map((n, i) => `${n}=value-${i}\n`).join('');
        const found = publicValues(text, 'dotenv');
        const expected = names.filter(conventional);
        if (expected.length === 0) return assert.equal(found, undefined);
        assert.ok(found);
        assert.deepEqual(found.names, expected);
        assert.deepEqual(namesInTheClear(text, 'dotenv', found.rule), expected);
      }),
      { numRuns: 300 },
    );
  });
});

/** Every scalar leaf of a YAML document as [path, value], read by the `yaml` package (an oracle). */
function yamlLeaves(text: string): [string[], unknown][] {
  const leaves: [string[], unknown][] = [];
  const walk = (node: YamlNode | null | undefined, path: string[]): void => {
    if (isMap(node)) for (const pair of node.items) walk(pair.value as YamlNode, [...path, String((pair.key as { value: unknown }).value)]);
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item as YamlNode, [...path, String(i)]));
    else if (isScalar(node)) leaves.push([path, node.value]);
  };
  walk(parseDocument(text).contents as YamlNode, []);
  return leaves;
}

describe('Choose Which Stay Readable: keys a rule can leave readable, and nothing else', () => {
  it('a Helm chart\'s values (bitnami/nginx): tag, repository and replicaCount ticked; the `yaml` package reads exactly their values in the clear after sealing, every other value a token', async () => {
    const text = readFileSync(join(VALUES_WILD, 'bitnami-nginx.values.yaml'), 'utf8');
    const { offered: choices, notOffered } = readableChoices(text, 'yaml');
    const keys = choices.map((c) => c.key);
    // image heads a mapping: a rule naming it would leave all below it readable, values added later too.
    for (const head of ['image', 'global', 'metrics']) assert.ok(!keys.includes(head) && notOffered.includes(head), head);
    // An empty mapping (resources: {}) holds no value: neither offered nor said to hold others.
    assert.ok(!keys.includes('resources') && !notOffered.includes('resources'));
    const tag = choices.find((c) => c.key === 'tag');
    assert.deepEqual(tag?.names, ['image.tag', 'cloneStaticSiteFromGit.image.tag', 'metrics.image.tag']);
    const ticked = ['tag', 'repository', 'replicaCount'];
    const rule = ruleNaming(ticked);
    assert.equal(ruleToString(rule), 'unencrypted-regex:^(?:tag|repository|replicaCount)$');
    const expected = choices.filter((c) => ticked.includes(c.key)).flatMap((c) => c.names);
    assert.deepEqual([...namesInTheClear(text, 'yaml', rule)].sort(), [...expected].sort());

    const sealed = await sealValues(text, { format: 'yaml', recipients: [alice.publicKey], signer: undefined, backend, rule });
    const before = new Map(yamlLeaves(text).map(([path, value]) => [path.join('.'), value]));
    let clear = 0;
    for (const [path, value] of yamlLeaves(sealed)) {
      const key = path.join('.');
      if (ticked.includes(path[path.length - 1])) {
        clear += 1;
        assert.deepEqual(value, before.get(key), `${key} stays as written`);
      } else if (before.get(key) !== null && before.get(key) !== '') {
        assert.match(String(value), /^custodian-val1\./, `${key} is encrypted`);
      }
    }
    assert.equal(clear, expected.length);
    assert.equal((await openValues(sealed, { format: 'yaml', identities: [alice], backend })).document, text);
  });

  it('a key is a whole segment: DB.PASSWORD is no pattern (a dot, a plus or a bracket in a key stands for itself), PORT leaves PORTAL_TOKEN encrypted (fast-check, RE2 as the reader matches)', () => {
    assert.equal(ruleToString(ruleNaming(['NODE_ENV', 'PORT'])), 'unencrypted-regex:^(?:NODE_ENV|PORT)$');
    assert.deepEqual(namesInTheClear('PORT=1\nPORTAL_TOKEN=t\nDB.PASSWORD=p\nDBXPASSWORD=q\n', 'dotenv', ruleNaming(['PORT', 'DB.PASSWORD'])), ['PORT', 'DB.PASSWORD']);
    const segment = fc.string({ unit: fc.constantFrom('a', 'B', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$', '\\', '-', ' ', '#', 'é', '_'), maxLength: 6 });
    fc.assert(
      fc.property(fc.uniqueArray(segment, { minLength: 1, maxLength: 5 }), segment, (keys, other) => {
        const inClear = clearMatcher(ruleNaming(keys));
        for (const key of keys) assert.ok(inClear([key]), JSON.stringify(key));
        assert.equal(inClear([other]), keys.includes(other), JSON.stringify({ keys, other }));
        assert.equal(inClear([`x${keys[0]}`]) || inClear([`${keys[0]}x`]), keys.includes(`x${keys[0]}`) || keys.includes(`${keys[0]}x`));
      }),
      { numRuns: 500 },
    );
  });

  it('in JSON: a key that heads an object or a list is not offered, a key holding a line break neither; in a .env every name; none ticked is the rule all; too many keys say what to do', () => {
    const json = '{"db": {"host": "h", "password": "p"}, "host": "top", "hosts": ["a", "b"], "a\\nb": "x", "NEXT_PUBLIC_URL": "u"}';
    const { offered: choices, notOffered } = readableChoices(json, 'json');
    assert.deepEqual(notOffered, ['db', 'hosts']);
    assert.deepEqual(choices.map((c) => [c.key, c.names, c.public]), [
      ['host', ['db.host', 'host'], false],
      ['password', ['db.password'], false],
      ['NEXT_PUBLIC_URL', ['NEXT_PUBLIC_URL'], true],
    ]);
    assert.deepEqual(readableChoices('NODE_ENV=production\nPORT=3000\n', 'dotenv').offered.map((c) => c.key), ['NODE_ENV', 'PORT']);
    assert.equal(ruleToString(ruleNaming([])), 'all');
    const many = Array.from({ length: 200 }, (_, i) => `SERVICE_${i}_URL`);
    assert.throws(() => ruleNaming(many), (err: unknown) => err instanceof FormatError && /the 200 keys make a selection rule \d+ characters long; the limit is 1024/.test(err.message) && /leave fewer keys readable/.test(err.hint ?? ''));
  });
});
