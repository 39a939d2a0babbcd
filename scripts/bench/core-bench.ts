// In-process measurements for `npm run bench`: scripts/bench.js bundles this file with esbuild (minified,
// like the shipped bundles) and runs it in a child process. Prints one JSON line of raw samples (ms);
// scripts/bench.js computes medians and judges. Every sample is checked: a wrong result exits 1.
//   node core-bench.js '{"decryptRuns":31,"shamirRuns":15,"keygenRuns":21,"tempDir":"/tmp/…"}'
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { constantTimeEqual } from '../../src/core/bytes';
import { decryptBytes, encryptBytes } from '../../src/core/envelope';
import { generateRsaKeyPair } from '../../src/core/keys';
import { combineShares, MAX_SECRET_BYTES, splitSecret } from '../../src/core/shamir';
import { openValues, sealValues, type ValuesFormatName } from '../../src/core/values';
import { valuesFormat } from '../../src/core/values-formats';
import { valueAads, type SelectionRule } from '../../src/core/values-metadata';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync } from 'node:crypto';
import { FAILSAFE_SCHEMA, loadAll } from 'js-yaml';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { interleaved } = require('../lib/interleave') as { interleaved: (runs: number, a: () => Promise<void>, b: () => Promise<void>) => Promise<void> };

interface Options {
  /** "values": only the value-encryption rows (BENCH_VALUES_ONLY). */
  only?: string;
  decryptRuns: number;
  shamirRuns: number;
  valuesRuns: number;
  keygenRuns: number;
  tempDir: string;
  /** test/fixtures/helm-values: real values files for the YAML row from the wild. */
  helmValuesDir: string;
  /** Untimed runs before the samples; 0 lets test/scripts/bench.test.ts run every check once, quickly. */
  warmupRuns?: number;
}

const MIB = 1024 * 1024;
let WARMUP_RUNS = 5;

function fail(message: string): never {
  process.stderr.write(`core-bench: FAILED CHECK: ${message}\n`);
  process.exit(1);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && constantTimeEqual(a, b);
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** The open-in-editor path: a whole signed 1 MiB `.enc` in memory, opened with the Node backend, warm. */
async function decryptOneMiB(runs: number): Promise<number[]> {
  const backend = createNodeCryptoBackend();
  const key = await generateRsaKeyPair(backend, 3072);
  const plaintext = backend.randomBytes(MIB);
  const file = await encryptBytes(plaintext, { recipients: [key.publicKey], signer: key, backend });
  const samples: number[] = [];
  for (let i = 0; i < WARMUP_RUNS + runs; i++) {
    const { ms, value } = await timed(() => decryptBytes(file, { identities: [key], backend }));
    if (!same(value.plaintext, plaintext)) fail('decryptBytes returned different bytes');
    if (value.signature.kind !== 'signed' || value.signature.signer.fingerprint !== key.publicKey.fingerprint) fail('decryptBytes did not verify the signature');
    if (i >= WARMUP_RUNS) samples.push(ms);
  }
  return samples;
}

/** Split a secret of the largest size splitSecret accepts (64 KiB, SHAMIR.md §7) into 5 shares (threshold 3), then combine 3. */
async function shamirLargest(runs: number): Promise<number[]> {
  const secret = createNodeCryptoBackend().randomBytes(MAX_SECRET_BYTES);
  const samples: number[] = [];
  for (let i = 0; i < WARMUP_RUNS + runs; i++) {
    const { ms, value } = await timed(() => {
      const shares = splitSecret(secret, { threshold: 3, shares: 5 });
      return combineShares([shares[4], shares[0], shares[2]]);
    });
    if (!same(value, secret)) fail('split + combine did not recover the secret');
    if (i >= WARMUP_RUNS) samples.push(ms);
  }
  return samples;
}

/**
 * 3072-bit key generation: the core through the Node backend (the extension's Generate Key path, no
 * export) against `openssl genpkey` as a process, interleaved so load changes hit both alike.
 */
async function keygen(runs: number, tempDir: string): Promise<{ ours: number[]; openssl: number[] }> {
  const backend = createNodeCryptoBackend();
  const ours: number[] = [];
  const openssl: number[] = [];
  const out = join(tempDir, 'openssl-genpkey.pem');
  const runOpenssl = async (): Promise<void> => {
    rmSync(out, { force: true });
    const { ms, value } = await timed(() =>
      spawnSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072', '-out', out], { stdio: ['ignore', 'ignore', 'pipe'] }),
    );
    if (value.status !== 0 || !existsSync(out)) fail(`openssl genpkey exited ${value.status}: ${value.stderr}`);
    openssl.push(ms);
  };
  const runOurs = async (): Promise<void> => {
    const { ms, value } = await timed(() => generateRsaKeyPair(backend, 3072));
    if (value.publicKey.bits !== 3072) fail(`generated a ${value.publicKey.bits}-bit key`);
    ours.push(ms);
  };
  await runOurs(); // warm-up: loads OpenSSL's RSA code and the thread pool
  await interleaved(runs, runOpenssl, runOurs);
  rmSync(out, { force: true });
  return { ours, openssl };
}

/** A `.env` of `count` values, the size of a large real one (names and values of 20–40 characters). */
function largeEnv(count: number): string {
  let text = '# generated for the bench\n';
  for (let i = 0; i < count; i++) text += `SERVICE_${i}_API_TOKEN=tok-${i}-${'x'.repeat(20 + (i % 20))}\n`;
  return text;
}

/**
 * At least `bytes` of real Helm values files (test/fixtures/helm-values, SOURCES.md): the 44 files as one
 * YAML stream, each after a comment naming it and `---`, repeated. A comment line ends a top-level block
 * scalar before the marker (VALUES.md §3 refuses `---` right after one).
 */
function helmValuesStream(dir: string, bytes: number): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.values.yaml')).sort();
  if (files.length === 0) fail(`no values files in ${dir}`);
  let text = '';
  while (text.length < bytes) {
    for (const f of files) text += `# ---- ${f} ----\n---\n${readFileSync(join(dir, f), 'utf8').replace(/\n?$/, '\n')}`;
  }
  return text;
}

/** About 1 MiB of YAML shaped like a Helm values file: nested maps, lists, comments, quoted strings. */
function largeYaml(bytes: number): string {
  let text = '# generated for the bench\n';
  for (let i = 0; text.length < bytes; i++) {
    text += `service${i}:\n  # credentials of service ${i}\n  image: "registry.example.com/app:${i}"\n  password: p4ss-${i}-secret\n  ports: [80, 443]\n  env:\n    - name: TOKEN\n      value: 'tok-${i}'\n`;
  }
  return text;
}

/**
 * The AES-256-GCM calls a value-encrypted file needs and nothing else (VALUES.md §6): node:crypto seals
 * each leaf's raw text under its own nonce with its AAD, then opens it. The reference of the values rows:
 * Node has no one-shot AEAD call, so each value costs a cipher object, however the rest is written.
 */
function bareGcm(leaves: readonly { plaintext: Uint8Array; aad: Uint8Array }[]): void {
  const key = createSecretKey(randomFillSync(new Uint8Array(32)));
  const nonces = randomFillSync(new Uint8Array(12 * leaves.length));
  const sealed = leaves.map(({ plaintext, aad }, i) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonces.subarray(12 * i, 12 * i + 12), { authTagLength: 16 });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    cipher.final();
    return { body, tag: cipher.getAuthTag() };
  });
  sealed.forEach(({ body, tag }, i) => {
    const decipher = createDecipheriv('aes-256-gcm', key, nonces.subarray(12 * i, 12 * i + 12), { authTagLength: 16 });
    decipher.setAAD(leaves[i].aad);
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(body);
    decipher.final();
    if (!same(plaintext, leaves[i].plaintext)) fail('bare AES-GCM round trip differs');
  });
}

/**
 * Value-level encryption (docs/VALUES.md): seal then open a whole file in the core, signed, warm; counts
 * the RSA-OAEP unwraps of each open (one per file, not per value). Interleaved with the references on the
 * file's leaves: `bareGcm`, the floor any implementation of the format pays in Node, and for YAML the
 * same plus js-yaml composing the plaintext and the sealed file (the parses a seal and an open need at
 * the least): what the libraries alone cost, before any code of ours.
 */
async function valuesRoundTrip(
  document: string,
  format: ValuesFormatName,
  runs: number,
  rule?: SelectionRule,
): Promise<{ ms: number[]; sealMs: number[]; openMs: number[]; bareGcmMs: number[]; librariesMs?: number[]; bytes: number; values: number; unwrapsPerOpen: number }> {
  const node = createNodeCryptoBackend();
  let unwraps = 0;
  const backend = { ...node, rsaOaepDecrypt: (...a: Parameters<typeof node.rsaOaepDecrypt>) => (unwraps++, node.rsaOaepDecrypt(...a)) };
  const key = await generateRsaKeyPair(node, 3072);
  const encoder = new TextEncoder();
  const found = valuesFormat(format).leaves(document);
  const aads = valueAads(found.map((l) => l.path));
  const leaves = found.map((l, i) => ({ plaintext: encoder.encode(document.slice(l.start, l.end)), aad: aads[i] }));
  const sealedSample = await sealValues(document, { format, recipients: [key.publicKey], signer: key, backend: node, rule });
  const samples: number[] = [];
  const seals: number[] = [];
  const opens: number[] = [];
  const bare: number[] = [];
  const libraries: number[] = [];
  let i = 0;
  const runOurs = async (): Promise<void> => {
    unwraps = 0;
    // Each operation is timed too: a save seals, an open opens, and a user waits for one at a time.
    const seal = await timed(() => sealValues(document, { format, recipients: [key.publicKey], signer: key, backend, rule }));
    const open = await timed(() => openValues(seal.value, { format, identities: [key], backend }));
    const { ms, value } = { ms: seal.ms + open.ms, value: open.value };
    if (value.document !== document) fail(`${format}: open(seal(x)) differs from x`);
    if (value.signature.kind !== 'signed') fail(`${format}: the signature was not verified`);
    value.dispose();
    if (unwraps !== 1) fail(`${format}: ${unwraps} RSA unwraps for one file`);
    if (i++ >= WARMUP_RUNS) {
      samples.push(ms);
      seals.push(seal.ms);
      opens.push(open.ms);
    }
  };
  let j = 0;
  const runReferences = async (): Promise<void> => {
    const gcm = await timed(() => bareGcm(leaves));
    const parses = format === 'yaml' ? await timed(() => [loadAll(document, null, { schema: FAILSAFE_SCHEMA }), loadAll(sealedSample, null, { schema: FAILSAFE_SCHEMA })]) : undefined;
    if (parses && parses.value[0].length !== parses.value[1].length) fail('js-yaml read a different number of documents in the sealed file');
    if (j++ >= WARMUP_RUNS) {
      bare.push(gcm.ms);
      if (parses) libraries.push(gcm.ms + parses.ms);
    }
  };
  await interleaved(WARMUP_RUNS + runs, runOurs, runReferences);
  return { ms: samples, sealMs: seals, openMs: opens, bareGcmMs: bare, librariesMs: format === 'yaml' ? libraries : undefined, bytes: document.length, values: leaves.length, unwrapsPerOpen: 1 };
}

async function valuesRows(options: Options): Promise<Record<string, Awaited<ReturnType<typeof valuesRoundTrip>>>> {
  return {
    valuesEnv: await valuesRoundTrip(largeEnv(1000), 'dotenv', options.valuesRuns),
    // alertmanager's containerPortName is copied by YAML aliases, so it must stay in the clear (VALUES.md §3),
    // as the refusal to seal it says and as test/core/values.test.ts seals that file.
    valuesYamlWild: await valuesRoundTrip(helmValuesStream(options.helmValuesDir, MIB), 'yaml', options.valuesRuns, {
      kind: 'unencrypted-regex',
      regex: '^containerPortName$',
    }),
    valuesYaml: await valuesRoundTrip(largeYaml(MIB), 'yaml', options.valuesRuns),
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  WARMUP_RUNS = options.warmupRuns ?? WARMUP_RUNS;
  if (options.only === 'values') {
    process.stdout.write(`${JSON.stringify(await valuesRows(options))}\n`);
    return;
  }
  const result = {
    decryptOneMiB: await decryptOneMiB(options.decryptRuns),
    shamirLargest: await shamirLargest(options.shamirRuns),
    keygen: await keygen(options.keygenRuns, options.tempDir),
    ...(await valuesRows(options)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
