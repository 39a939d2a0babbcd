// The commit guard's private-key rule: a key's BEGIN line is refused in any file, however the key is wrapped
// (PEM, a YAML block, a commented-out key, a JSON string, one line, code that concatenates it). In a
// value-encrypted file, whose comments document its settings, only a BEGIN line with key material after it
// counts: Bitnami's nginx values.yaml, every value encrypted, was refused for a comment naming the line.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStagedFiles, type GuardInput } from '../../src/core/commit-guard';
import { DEFAULT_GUARD_PLAINTEXT_PATHS } from '../../src/core/project-config';
import { sealValues } from '../../src/core/values';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const PEM = readFileSync(join(__dirname, '..', 'vectors', 'envelope', 'alice.pem'), 'utf8');
const OPENSSH = readFileSync(join(__dirname, '..', 'vectors', 'keys', 'rsa3072-openssh-encrypted'), 'utf8');
const backend = createNodeCryptoBackend();

/** An oracle CI installs (scripts/install-system-deps.sh); elsewhere its test skips, but never in CI. */
function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error(`${name} is required in CI (scripts/install-system-deps.sh installs it)`);
    return false;
  }
}
const alice = loadKey('alice');

async function rules(path: string, text: string): Promise<string[]> {
  const input: GuardInput = { files: [{ path, content: new TextEncoder().encode(text) }], indexPaths: new Set([path]), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => s, show: (s) => s };
  return (await checkStagedFiles(input)).map((f) => f.rule);
}

describe('commit guard: private keys', () => {
  it('a key is refused however it is wrapped, cut after its first line, or its BEGIN line alone, in any file that is not value-encrypted', async () => {
    const lines = PEM.trimEnd().split('\n');
    const indented = lines.map((l) => `    ${l}`).join('\n');
    const cases: [string, string][] = [
      ['key.pem', PEM],
      ['openssh.txt', OPENSSH],
      ['notes.md', `Backup:\n\n${lines[0]}\n${lines[1]}\n`], // cut in half
      ['values.yaml', `tls:\n  key: |\n${indented}\n`],
      ['values.yaml', `tls:\n  key: "${PEM.trimEnd().replace(/\n/g, '\\n')}"\n`],
      ['sa.json', JSON.stringify({ private_key: PEM })],
      ['config.json', JSON.stringify({ private_key: PEM }).replace(/\//g, '\\/')], // PHP's json_encode
      ['config.yaml', `# old key, kept just in case\n${lines.map((l) => `# ${l}`).join('\n')}\n`],
      ['one-line.txt', `KEY=${PEM.trimEnd().replace(/\n/g, ' ')}\n`],
      ['fixtures.js', `const KEY =\n${lines.map((l) => `  "${l}\\n"`).join(' +\n')};\n`], // concatenated in code
      ['app.config', `<add key="Key" value="${PEM.trimEnd().replace(/\n/g, '&#xD;&#xA;')}" />\n`],
      ['setup.sh', `${lines.map((l, i) => `echo '${l}' ${i ? '>>' : '>'} ~/.ssh/id_rsa`).join('\n')}\n`],
      ['secring.asc', `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${lines[1]}\n`],
      // Its BEGIN line alone: it may be a key wrapped too narrowly to see, so a plain file is refused.
      ['README.md', 'A key file starts with `-----BEGIN PRIVATE KEY-----`.\n'],
    ];
    // (Some paths are also guard.plaintextPaths: *.pem is refused by name too.)
    for (const [path, text] of cases) assert.ok((await rules(path, text)).includes('private-key'), `${path}: ${JSON.stringify(text.slice(0, 120))}`);
  });

  it('a key encoded so that no BEGIN line shows is refused too: base64 (a Kubernetes Secret, wrapped or not, after a certificate), a private JSON Web Key; their public forms commit', async () => {
    // node:crypto and openssl write the encodings: not Custodian's code.
    const certificate = readFileSync(join(__dirname, '..', 'vectors', 'keys', 'rsa2048-cert.pem'), 'utf8');
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const wrapped = execFileSync('openssl', ['base64'], { input: PEM, encoding: 'utf8' }); // 64 columns
    const secret = (data: string): string => `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: web-tls\ndata:\n${data}`;
    const rsaJwk = createPrivateKey(PEM).export({ format: 'jwk' });
    const ecJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const refused: [string, string][] = [
      ['k8s/tls-secret.yaml', secret(`  tls.crt: ${b64(certificate)}\n  tls.key: ${b64(PEM)}\n`)],
      ['k8s/wrapped.yaml', secret(`  tls.key: |\n${wrapped.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`)],
      ['bundle.txt', `BUNDLE=${b64(certificate + PEM)}\n`], // the key's BEGIN line at any offset of the encoding
      ['.github/ci.json', JSON.stringify({ SSH_KEY_B64: b64(OPENSSH) })],
      ['jwk.json', JSON.stringify(rsaJwk, null, 2)],
      ['ec.jwk', JSON.stringify(ecJwk)],
      ['settings.json', JSON.stringify({ signingKey: JSON.stringify(ecJwk) })], // escaped inside a string
      // An x5c chain between kty and d; a key saved by Windows PowerShell 5.1 (UTF-16 with a byte order mark).
      ['jwk-chain.json', JSON.stringify({ ...rsaJwk, x5c: ['A'.repeat(6000)] }, ['kty', 'x5c', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'], 2)],
    ];
    for (const [path, text] of refused) assert.ok((await rules(path, text)).includes('private-key'), `${path}: ${JSON.stringify(text.slice(0, 120))}`);
    const utf16: GuardInput = { files: [{ path: 'deploy/key.txt', content: new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PEM, 'utf16le')])) }], indexPaths: new Set(['deploy/key.txt']), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => s, show: (s) => s };
    assert.deepEqual((await checkStagedFiles(utf16)).map((f) => f.rule), ['private-key'], 'UTF-16LE');
    const passed: [string, string][] = [
      ['k8s/cert-only.yaml', secret(`  tls.crt: ${b64(certificate)}\n  ca.crt: ${b64(certificate)}\n`)],
      ['jwks.json', JSON.stringify({ keys: [createPublicKey(PEM).export({ format: 'jwk' }), { ...ecJwk, d: undefined }] })],
      // A README that names the encoded line, cut short: no whole BEGIN line decodes from it.
      ['README.md', 'A TLS Secret reads `tls.key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVkt...`.\n'],
      // A public JWK beside another object's d: a hash, an SVG path (a red team's minified bundles).
      ['dist/app.min.js', `const k=${JSON.stringify({ ...createPublicKey(PEM).export({ format: 'jwk' }), kty: 'RSA' })};const m={a:1,d:"3f786850e387550fdab836ed7e6dc881de23001b"};\n`],
      ['dist/icons.js', 'jwk={kty:"RSA",n:t,e:r};createElement("path",{d:"M19-6h-2v-2h-4v2H9V4h10zm-2-12H7v12h10-12-Z"})\n'],
    ];
    for (const [path, text] of passed) assert.deepEqual(await rules(path, text), [], `${path}: ${JSON.stringify(text.slice(0, 120))}`);
  });

  it('a key\'s DER is refused, base64-encoded without its lines (PKCS#1, PKCS#8, SEC1, Ed25519, encrypted PKCS#8; an OpenSSH body) or as a binary file; certificates, public keys and requests commit', async () => {
    // openssl writes every form (not Custodian's code).
    const openssl = (args: string[], input?: string | Buffer): Buffer => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'ignore'] });
    const rsaPkcs8 = openssl(['pkey', '-outform', 'DER'], PEM);
    const ec = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']).toString();
    const forms: [string, Buffer][] = [
      ['PKCS#8', rsaPkcs8],
      ['PKCS#1', openssl(['rsa', '-traditional', '-outform', 'DER'], PEM)],
      ['SEC1', openssl(['ec', '-outform', 'DER'], ec)],
      ['EC PKCS#8', openssl(['pkey', '-outform', 'DER'], ec)],
      ['Ed25519', openssl(['genpkey', '-algorithm', 'ed25519', '-outform', 'DER'])],
      ['encrypted PKCS#8', openssl(['pkcs8', '-topk8', '-v2', 'aes256', '-outform', 'DER', '-passout', 'pass:correct horse'], PEM)],
      ['PKCS#12-encrypted PKCS#8', openssl(['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES', '-outform', 'DER', '-passout', 'pass:correct horse'], PEM)],
    ];
    for (const [form, der] of forms) {
      const b64 = der.toString('base64');
      const wrapped = b64.replace(/.{64}/g, '$&\n').trimEnd();
      for (const [path, text] of [
        ['application.yml', `jwt:\n  private-key: ${b64}\n`],
        ['config.json', JSON.stringify({ signing: { key: b64 } })],
        ['values.yaml', `key: |\n${wrapped.split('\n').map((l) => `  ${l}`).join('\n')}\n`],
      ]) assert.ok((await rules(path, text)).includes('private-key'), `${form} in ${path}`);
      const input: GuardInput = { files: [{ path: 'signing.der', content: new Uint8Array(der) }], indexPaths: new Set(['signing.der']), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => s, show: (s) => s };
      assert.deepEqual((await checkStagedFiles(input)).map((f) => f.rule), ['private-key'], `${form}, a binary file`);
    }
    // Cut into pieces by code: only the first piece is read (a red team's JSON with \n escapes, Java
    // concatenation and properties continuations passed), and base64url.
    const pkcs8 = forms[0][1].toString('base64');
    const pieces = pkcs8.match(/.{1,64}/g)!;
    for (const [path, text] of [
      ['signing.json', JSON.stringify({ key: pieces.join('\n') })],
      ['Keys.java', `static final String KEY =\n${pieces.map((p) => `    "${p}"`).join(' +\n')};\n`],
      ['app.properties', `ssl.key=${pieces.join('\\\n    ')}\n`],
      ['jwt.conf', `private_key = ${forms[0][1].toString('base64url')}\n`],
    ]) assert.ok((await rules(path, text)).includes('private-key'), path);
    const body = OPENSSH.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
    assert.ok((await rules('deploy.json', JSON.stringify({ ssh_key: body }))).includes('private-key'), 'an OpenSSH key\'s body');
    // Public and signed things are not keys.
    const certificate = readFileSync(join(__dirname, '..', 'vectors', 'keys', 'rsa2048-cert.pem'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'custodian-der-'));
    try {
      writeFileSync(join(dir, 'key.pem'), PEM);
      const publicForms: [string, Buffer][] = [
        ['certificate', openssl(['x509', '-outform', 'DER'], certificate)],
        ['SPKI', openssl(['pkey', '-pubout', '-outform', 'DER'], PEM)],
        ['PKCS#1 public', openssl(['rsa', '-RSAPublicKey_out', '-outform', 'DER'], PEM)],
        ['CSR', openssl(['req', '-new', '-key', join(dir, 'key.pem'), '-subj', '/CN=custodian', '-outform', 'DER'])],
        ['EC public', openssl(['pkey', '-pubout', '-outform', 'DER'], ec)],
      ];
      // RFC 3416 GetRequest, community "public" (version 1, an OCTET STRING, a PDU: SEC1's first two fields).
      publicForms.push(['SNMP packet', Buffer.from('3029020101040670756' + '26c6963a01c02040000000102010002010030' + '0e300c06082b060102010101000500', 'hex')]);
      for (const [form, der] of publicForms) {
        assert.deepEqual(await rules('application.yml', `cert: ${der.toString('base64')}\n`), [], form);
        const input: GuardInput = { files: [{ path: 'public.der', content: new Uint8Array(der) }], indexPaths: new Set(['public.der']), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => s, show: (s) => s };
        assert.deepEqual(await checkStagedFiles(input), [], `${form}, a binary file`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a PuTTY private key (puttygen\'s .ppk, plain or with a passphrase) is refused; its public key commits', async function () {
    if (!hasTool('puttygen')) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'custodian-ppk-'));
    try {
      writeFileSync(join(dir, 'pass'), 'correct horse\n');
      execFileSync('puttygen', ['-t', 'rsa', '-b', '2048', '-q', '--new-passphrase', '/dev/null', '-o', join(dir, 'plain.ppk')], { stdio: 'ignore' });
      execFileSync('puttygen', ['-t', 'ed25519', '-q', '--new-passphrase', join(dir, 'pass'), '-o', join(dir, 'locked.ppk')], { stdio: 'ignore' });
      // Named so that no path rule refuses them: the content does.
      assert.deepEqual(await rules('deploy-key.txt', readFileSync(join(dir, 'plain.ppk'), 'utf8')), ['private-key']);
      assert.deepEqual(await rules('keys/locked-key.txt', readFileSync(join(dir, 'locked.ppk'), 'utf8')), ['private-key']); // as an encrypted PEM is
      assert.deepEqual(await rules('putty.pub', execFileSync('puttygen', [join(dir, 'plain.ppk'), '-O', 'public'], { encoding: 'utf8' })), []);
      // A document showing the layout, without key material.
      assert.deepEqual(await rules('docs/ppk.md', 'A .ppk looks like:\n\n```\nPuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 2\n...\nPrivate-Lines: 1\n...\n```\n'), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in a value-encrypted file, a BEGIN line that only documents the format passes; a key in a comment or a value left in the clear is refused', async () => {
    const bitnami = readFileSync(join(__dirname, '..', 'fixtures', 'values-wild', 'bitnami-nginx.values.yaml'), 'utf8');
    assert.match(bitnami, /-----BEGIN RSA PRIVATE KEY-----/);
    const seal = (text: string, rule?: string) =>
      sealValues(text, { format: 'yaml', recipients: [alice.publicKey], backend, rule: rule ? { kind: 'unencrypted-regex', regex: rule } : undefined });
    assert.deepEqual(await rules('values.yaml', await seal(bitnami)), []);
    // The same file in the clear: refused as before (its BEGIN line).
    assert.ok((await rules('values.yaml', bitnami)).includes('private-key'));
    const lines = PEM.trimEnd().split('\n');
    const commented = `db:\n  password: s3cr3t\n# the old key:\n${lines.map((l) => `# ${l}`).join('\n')}\n`;
    assert.ok((await rules('values.yaml', await seal(commented))).includes('private-key'), 'a key in a comment');
    const inClear = `tls:\n  key_public: |\n${lines.map((l) => `    ${l}`).join('\n')}\n  password: s3cr3t\n`;
    assert.ok((await rules('values.yaml', await seal(inClear, '_public$'))).includes('private-key'), 'a key in a value left in the clear');
    // Encoded keys likewise: sealed, a Kubernetes Secret's tls.key and a JWK's d are tokens and pass; in the clear, refused.
    const k8s = `data:\n  tls.key: ${Buffer.from(PEM).toString('base64')}\n`;
    assert.deepEqual(await rules('secret.yaml', await seal(k8s)), []);
    assert.ok((await rules('secret.yaml', await seal(k8s, 'key$'))).includes('private-key'), 'a base64 key left in the clear');
    const jwk = JSON.stringify(createPrivateKey(PEM).export({ format: 'jwk' }), null, 2);
    const sealJson = (rule?: string) => sealValues(jwk, { format: 'json', recipients: [alice.publicKey], backend, rule: rule ? { kind: 'unencrypted-regex', regex: rule } : undefined });
    assert.deepEqual(await rules('jwk.json', await sealJson()), []);
    assert.ok((await rules('jwk.json', await sealJson('^(kty|d)$'))).includes('private-key'), 'a JWK whose kty and d are left in the clear');
  });

  it('hostile files end the check, with no finding: 6 MB of short base64 lines (a stack overflow before), 1.6 MB of PuTTY headers, of kty members (a lazy pattern retried from each header held the guard for a minute)', async function () {
    this.timeout(30_000);
    const shapes: [string, string][] = [
      ['lines.txt', ('MIIEvQIBADAN' + 'A'.repeat(28) + '\n').repeat(160_000)],
      ['url.txt', ('a-b_'.repeat(10) + '\n').repeat(160_000)],
      ['putty.txt', 'PuTTY-User-Key-File-2: '.repeat(70_000)],
      ['kty.json', '{' + '"kty":"RSA",'.repeat(140_000) + '}'],
    ];
    for (const [path, text] of shapes) assert.deepEqual(await rules(path, text), [], path);
  });
});
