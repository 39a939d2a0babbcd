// Known-answer vectors of docs/VALUES.md (test/vectors/values/): every `expect:` outcome reproduced, and
// every reproducible positive vector re-sealed byte for byte by each backend from the same randomness.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CryptoBackend } from '../../src/core/crypto-backend';
import { FormatError, NoIdentityMatchedError, SignatureError, UnsupportedVersionError, ValueAuthError, ValuesMacError, WeakKeyError } from '../../src/core/errors';
import { openValues, parseRule, sealValues, type ValuesFormatName } from '../../src/core/values';
import { createWebCryptoBackend } from '../../src/core/webcrypto-backend';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { createNobleBackend } from '../helpers/noble-backend';
import { withInjectedRandomness } from '../helpers/seeded-rsa';
import { deterministicRandom, loadKey, type KeyName } from './envelope-fixtures';

const DIR = join(__dirname, '..', 'vectors', 'values');
const node = createNodeCryptoBackend();

interface Vector {
  name: string;
  description: string;
  expect: string;
  format: ValuesFormatName;
  identities: KeyName[];
  file: string;
  document?: string;
  signer?: string;
  encrypt?: { seed: string; recipients: KeyName[]; signer?: KeyName; rule?: string };
}

// v1/: files version 1 writers made (frozen, never regenerated): readers still open them (§4).
const vectors: Vector[] = [DIR, join(DIR, 'v1')].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector),
);

const EXPECTED_ERROR: Record<string, (err: unknown) => boolean> = {
  'value failure': (e) => e instanceof ValueAuthError,
  'mac failure': (e) => e instanceof ValuesMacError,
  'format error': (e) => e instanceof FormatError && !(e instanceof UnsupportedVersionError),
  'bad signature': (e) => e instanceof SignatureError,
  'no match': (e) => e instanceof NoIdentityMatchedError,
  'unsupported version': (e) => e instanceof UnsupportedVersionError,
  'weak key': (e) => e instanceof WeakKeyError,
};

function seeded(seed: string): CryptoBackend[] {
  return [createNodeCryptoBackend(), createWebCryptoBackend(), createNobleBackend()].map((b) => withInjectedRandomness(b, deterministicRandom(seed)));
}

describe('values: known-answer vectors (docs/VALUES.md)', () => {
  it('has vectors for every expectation, and the tamper cases the spec names', () => {
    for (const kind of ['success', ...Object.keys(EXPECTED_ERROR)]) assert.ok(vectors.some((v) => v.expect === kind), kind);
    for (const name of ['swap-two-tokens', 'move-token-to-other-key', 'delete-a-line', 'duplicate-a-line', 'metadata-rule-edited', 'signature-stripped', 'json-duplicate-member', 'yaml-alias-added', 'yaml-empty-value-made-alias', 'v1-dotenv-signed']) {
      assert.ok(vectors.some((v) => v.name === name), name);
    }
  });

  for (const v of vectors) {
    it(`${v.name}: ${v.expect} (${v.description})`, async () => {
      const identities = v.identities.map(loadKey);
      if (v.expect === 'success') {
        const opened = await openValues(v.file, { format: v.format, identities, backend: node });
        assert.equal(opened.document, v.document);
        assert.equal(opened.signature.kind === 'signed' ? opened.signature.signer.fingerprint : 'unsigned', v.signer);
        return;
      }
      const check = EXPECTED_ERROR[v.expect];
      assert.ok(check, `unknown expectation ${v.expect}`);
      const caught = await openValues(v.file, { format: v.format, identities, backend: node }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(check(caught), `expected ${v.expect}, got ${String(caught)}`);
    });
  }

  it('value failures name the key whose token does not belong there', async () => {
    const v = vectors.find((x) => x.name === 'move-token-to-other-key')!;
    const err = await openValues(v.file, { format: v.format, identities: [loadKey('alice')], backend: node }).catch((e: unknown) => e);
    assert.ok(err instanceof ValueAuthError);
    assert.equal(err.path, 'B');
    assert.match(err.message, /"B" does not open at that key/);
  });

  it('a deleted line is reported as a removed entry, not only as a MAC failure', async () => {
    const v = vectors.find((x) => x.name === 'delete-a-line')!;
    await assert.rejects(openValues(v.file, { format: v.format, identities: [loadKey('alice')], backend: node }), /an entry was removed/);
  });

  it('every backend reproduces the positive vectors byte for byte from the same randomness', async function () {
    this.timeout(60000);
    for (const v of vectors.filter((x) => x.encrypt)) {
      const e = v.encrypt!;
      for (const backend of seeded(e.seed)) {
        const text = await sealValues(v.document!, {
          format: v.format,
          recipients: e.recipients.map((r) => loadKey(r).publicKey),
          signer: e.signer ? loadKey(e.signer) : undefined,
          rule: e.rule ? parseRule(e.rule) : undefined,
          backend,
        });
        assert.equal(text, v.file, `${v.name} with ${backend.name}`);
      }
    }
  });
});
