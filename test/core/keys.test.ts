import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { RsaKeySize } from '../../src/core/crypto-backend';
import { createWebCryptoBackend } from '../../src/core/webcrypto-backend';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { KeyFormatError, PassphraseError, UnsupportedKeyError, WeakKeyError } from '../../src/core/errors';
import {
  createSelfSignedCertificate,
  exportPrivateKeyEncrypted,
  exportPublicKeyOpenSsh,
  exportPublicKeyPem,
  generateRsaKeyPair,
  isEncryptedPrivateKey,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromPkcs8Der,
  publicKeyFromSpkiDer,
  shortFingerprint,
  type RsaPrivateKey,
} from '../../src/core/keys';
import { EXPECTED, FIXTURE_PASSPHRASE, fixture, runTool } from './key-fixtures';

const RSA2048 = EXPECTED['rsa2048-pkcs8.pem'];

describe('core/keys', () => {
  describe('parsePublicKey', () => {
    const cases: [string, string][] = [
      ['SPKI PEM (openssl rsa -pubout)', 'rsa2048-spki.pem'],
      ['PKCS#1 PEM (openssl rsa -RSAPublicKey_out)', 'rsa2048-pkcs1-public.pem'],
      ['X.509 certificate (openssl req -x509)', 'rsa2048-cert.pem'],
    ];
    for (const [what, file] of cases) {
      it(`reads ${what} with the ssh-keygen fingerprint`, () => {
        const key = parsePublicKey(fixture(file));
        assert.equal(key.bits, 2048);
        assert.equal(key.fingerprint, RSA2048.fingerprint);
        assert.equal(key.fingerprintBytes.length, 32);
      });
    }

    it('takes the certificate subject CN and email as the comment', () => {
      assert.equal(parsePublicKey(fixture('rsa2048-cert.pem')).comment, 'Alice Example <alice@example.com>');
    });

    for (const name of ['rsa3072-openssh', 'rsa4096-openssh', 'rsa3072-openssh-encrypted']) {
      it(`reads the ssh-keygen line ${name}.pub with its comment`, () => {
        const key = parsePublicKey(fixture(`${name}.pub`));
        assert.equal(key.bits, EXPECTED[name].bits);
        assert.equal(key.fingerprint, EXPECTED[name].fingerprint);
        assert.ok(key.comment && key.comment.length > 0);
      });
    }

    it('gives the same SPKI for every representation of one key', () => {
      const spki = parsePublicKey(fixture('rsa2048-spki.pem')).spkiDer;
      for (const f of ['rsa2048-pkcs1-public.pem', 'rsa2048-cert.pem']) assert.deepEqual(parsePublicKey(fixture(f)).spkiDer, spki);
      assert.deepEqual(parsePublicKey(RSA2048.sshPublicKey).spkiDer, spki);
    });

    it('refuses 1024-bit keys, naming the size', () => {
      assert.throws(() => parsePublicKey(fixture('rsa1024-spki.pem')), (e: Error) => e instanceof WeakKeyError && /1024 bits/.test(e.message));
      assert.throws(() => parsePublicKey(fixture('rsa1024-openssh.pub')), WeakKeyError);
    });

    it('refuses EC, Ed25519 and ECDSA keys, naming the type', () => {
      assert.throws(() => parsePublicKey(fixture('ec-p256-spki.pem')), (e: Error) => e instanceof UnsupportedKeyError && /EC/.test(e.message));
      assert.throws(() => parsePublicKey(fixture('ed25519-openssh.pub')), (e: Error) => e instanceof UnsupportedKeyError && /Ed25519/.test(e.message));
      assert.throws(() => parsePublicKey(fixture('ecdsa-openssh.pub')), (e: Error) => e instanceof UnsupportedKeyError && /ECDSA/.test(e.message));
    });

    it('refuses private keys and garbage with KeyFormatError saying what was expected', () => {
      assert.throws(() => parsePublicKey(fixture('rsa2048-pkcs8.pem')), (e: Error) => e instanceof KeyFormatError && /private key/.test(e.message));
      for (const junk of ['', 'hello', 'ssh-rsa !!!notbase64', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n']) {
        assert.throws(() => parsePublicKey(junk), KeyFormatError, junk);
      }
      assert.throws(() => parsePublicKey('nonsense'), (e: Error) => /expected an RSA public key/.test(e.message));
    });

    it('refuses a file holding two keys (two PEM blocks, a certificate chain, a PEM block and an ssh-rsa line): one key per file', () => {
      const spki = fixture('rsa2048-spki.pem');
      const other = exportPublicKeyPem(parsePublicKey(fixture('rsa3072-openssh.pub')));
      const cert = fixture('rsa2048-cert.pem');
      const cases: [string, RegExp][] = [
        [`${spki}${other}`, /^the file holds 2 PEM blocks \("PUBLIC KEY", "PUBLIC KEY"\): one key per file$/],
        [`${other}\n${spki}`, /holds 2 PEM blocks/],
        [`${cert}${cert}${cert}`, /^the file holds 3 PEM blocks \("CERTIFICATE", "CERTIFICATE", "CERTIFICATE"\)/],
        [`${spki}${fixture('rsa2048-pkcs1-public.pem')}`, /holds 2 PEM blocks \("PUBLIC KEY", "RSA PUBLIC KEY"\)/],
        [`${spki}${fixture('rsa3072-openssh.pub')}`, /^the file holds a PEM block and an OpenSSH key line: one key per file$/],
        [`${fixture('rsa3072-openssh.pub')}${spki}`, /a PEM block and an OpenSSH key line/],
      ];
      for (const [text, message] of cases) {
        assert.throws(() => parsePublicKey(text), (e: Error) => e instanceof KeyFormatError && message.test(e.message) && (e as KeyFormatError).hint !== undefined, message.source);
      }
    });

    it('still reads one PEM block with text around it (openssl x509 -text, comments), CRLF included', () => {
      const certText = runTool('openssl', ['x509', '-in', '{cert}', '-text'], { cert: fixture('rsa2048-cert.pem') });
      assert.match(certText, /^Certificate:[\s\S]*-----BEGIN CERTIFICATE-----/);
      for (const text of [certText, `subject=alice\r\n${fixture('rsa2048-spki.pem').replace(/\n/g, '\r\n')}trailing note\n`, `constructor\n${fixture('rsa2048-spki.pem')}`]) {
        assert.equal(parsePublicKey(text).fingerprint, RSA2048.fingerprint);
      }
    });

    it('refuses an ssh-rsa line whose blob says another type', () => {
      const edBlob = fixture('ed25519-openssh.pub').split(' ')[1];
      assert.throws(() => parsePublicKey(`ssh-rsa ${edBlob}`), UnsupportedKeyError);
    });
  });

  describe('parsePrivateKey', () => {
    const plain: [string, string][] = [
      ['PKCS#8 (openssl genpkey)', 'rsa2048-pkcs8.pem'],
      ['PKCS#1 (openssl rsa -traditional)', 'rsa2048-pkcs1.pem'],
    ];
    for (const [what, file] of plain) {
      it(`reads ${what}`, async () => {
        const key = await parsePrivateKey(fixture(file));
        assert.equal(key.publicKey.fingerprint, RSA2048.fingerprint);
        assert.equal(isEncryptedPrivateKey(fixture(file)), false);
      });
    }

    it('normalises PKCS#1 and PKCS#8 input to the same PKCS#8 DER', async () => {
      const a = await parsePrivateKey(fixture('rsa2048-pkcs8.pem'));
      const b = await parsePrivateKey(fixture('rsa2048-pkcs1.pem'));
      assert.deepEqual(a.pkcs8Der, b.pkcs8Der);
      assert.deepEqual(privateKeyFromPkcs8Der(a.pkcs8Der).publicKey, a.publicKey);
    });

    const encrypted: [string, string, string][] = [
      ['openssl genpkey -aes256', 'rsa2048-genpkey-aes256.pem', EXPECTED['rsa2048-pkcs8.pem'].fingerprint],
      ['openssl pkcs8 -topk8 -v2 aes256', 'rsa2048-pkcs8-v2-aes256.pem', RSA2048.fingerprint],
      ['openssl pkcs8 -v2 aes128 -v2prf hmacWithSHA1', 'rsa2048-pkcs8-v2-aes128-sha1.pem', RSA2048.fingerprint],
      ['openssl pkcs8 -v2 aes192', 'rsa2048-pkcs8-v2-aes192.pem', RSA2048.fingerprint],
      ['ssh-keygen -N pass (bcrypt + aes256-ctr)', 'rsa3072-openssh-encrypted', EXPECTED['rsa3072-openssh-encrypted'].fingerprint],
    ];
    for (const [what, file, fingerprint] of encrypted) {
      it(`reads ${what} with the passphrase, and refuses it without or with a wrong one`, async () => {
        const text = fixture(file);
        assert.equal(isEncryptedPrivateKey(text), true);
        const key = await parsePrivateKey(text, FIXTURE_PASSPHRASE);
        if (file !== 'rsa2048-genpkey-aes256.pem') assert.equal(key.publicKey.fingerprint, fingerprint);
        await assert.rejects(parsePrivateKey(text), (e: Error) => e instanceof PassphraseError && /passphrase is needed/.test(e.message));
        await assert.rejects(parsePrivateKey(text, 'wrong horse'), (e: Error) => e instanceof PassphraseError && /wrong passphrase/.test(e.message));
      });
    }

    it('matches ssh-keygen for the genpkey -aes256 key', async () => {
      const key = await parsePrivateKey(fixture('rsa2048-genpkey-aes256.pem'), FIXTURE_PASSPHRASE);
      const line = runTool('ssh-keygen', ['-y', '-P', FIXTURE_PASSPHRASE, '-f', '{k}'], { k: fixture('rsa2048-genpkey-aes256.pem') });
      assert.equal(exportPublicKeyOpenSsh(key.publicKey), line.trim().split(' ').slice(0, 2).join(' '));
    });

    it('turns every one of many wrong passphrases into PassphraseError (padding or DER failures)', async () => {
      const text = fixture('rsa2048-pkcs8-v2-aes128-sha1.pem');
      for (let i = 0; i < 300; i++) {
        await assert.rejects(parsePrivateKey(text, `wrong-${i}`), PassphraseError);
      }
    });

    it('reads unencrypted OpenSSH keys (ssh-keygen -N "") with their comment', async () => {
      for (const name of ['rsa3072-openssh', 'rsa4096-openssh']) {
        const key = await parsePrivateKey(fixture(name));
        assert.equal(key.publicKey.fingerprint, EXPECTED[name].fingerprint);
        assert.equal(key.publicKey.bits, EXPECTED[name].bits);
        assert.equal(exportPublicKeyOpenSsh(key.publicKey), EXPECTED[name].sshPublicKey);
        assert.equal(isEncryptedPrivateKey(fixture(name)), false);
      }
      assert.equal((await parsePrivateKey(fixture('rsa3072-openssh'))).publicKey.comment, 'alice@example.com');
    });

    it('produces PKCS#8 that openssl accepts as the same key', async () => {
      const key = await parsePrivateKey(fixture('rsa3072-openssh'));
      const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(key.pkcs8Der).toString('base64')}\n-----END PRIVATE KEY-----\n`;
      assert.match(runTool('openssl', ['rsa', '-check', '-noout', '-in', '{k}'], { k: pem }), /RSA key ok/);
      const line = runTool('ssh-keygen', ['-y', '-f', '{k}'], { k: pem });
      assert.equal(line.trim().split(' ').slice(0, 2).join(' '), EXPECTED['rsa3072-openssh'].sshPublicKey);
    });

    it('flags legacy Proc-Type encrypted PEM as encrypted and refuses it with a conversion hint', async () => {
      const text = fixture('rsa2048-pkcs1-legacy-aes256.pem');
      assert.equal(isEncryptedPrivateKey(text), true);
      await assert.rejects(parsePrivateKey(text, FIXTURE_PASSPHRASE), (e: KeyFormatError) => e instanceof KeyFormatError && /openssl pkcs8/.test(e.hint ?? ''));
    });

    it('refuses 1024-bit, EC and Ed25519 private keys', async () => {
      await assert.rejects(parsePrivateKey(fixture('rsa1024-pkcs8.pem')), (e: Error) => e instanceof WeakKeyError && /1024/.test(e.message));
      await assert.rejects(parsePrivateKey(fixture('ec-p256-pkcs8.pem')), (e: Error) => e instanceof UnsupportedKeyError && /EC/.test(e.message));
      await assert.rejects(parsePrivateKey(fixture('ec-p256-sec1.pem')), (e: Error) => e instanceof UnsupportedKeyError && /EC/.test(e.message));
      await assert.rejects(parsePrivateKey(fixture('ed25519-pkcs8.pem')), (e: Error) => e instanceof UnsupportedKeyError && /Ed25519/.test(e.message));
      await assert.rejects(parsePrivateKey(fixture('ed25519-openssh')), (e: Error) => e instanceof UnsupportedKeyError && /Ed25519/.test(e.message));
    });

    it('refuses public keys and garbage with KeyFormatError', async () => {
      await assert.rejects(parsePrivateKey(fixture('rsa2048-spki.pem')), (e: Error) => e instanceof KeyFormatError && /public key/.test(e.message));
      await assert.rejects(parsePrivateKey(fixture('rsa3072-openssh.pub')), KeyFormatError);
      await assert.rejects(parsePrivateKey('garbage'), (e: Error) => e instanceof KeyFormatError && /expected an RSA private key/.test(e.message));
      const pem = fixture('rsa2048-pkcs8.pem');
      const lines = pem.split('\n');
      const truncated = [...lines.slice(0, 5), ...lines.slice(6)].join('\n'); // one 48-byte line gone
      await assert.rejects(parsePrivateKey(truncated), KeyFormatError);
    });

    it('never puts PEM bodies or passphrases in error messages', async () => {
      const secretPass = 'sw0rdfish-secret-passphrase';
      const inputs: [string, string | undefined][] = [
        [fixture('rsa2048-pkcs8-v2-aes256.pem'), secretPass],
        [fixture('rsa3072-openssh-encrypted'), secretPass],
        [fixture('rsa2048-pkcs8-v2-aes256.pem'), undefined],
        [fixture('rsa1024-pkcs8.pem'), secretPass],
        [fixture('rsa2048-pkcs1.pem').replace(/M/g, '*'), secretPass],
        [fixture('rsa2048-spki.pem'), secretPass],
      ];
      for (const [text, pass] of inputs) {
        const err: unknown = await parsePrivateKey(text, pass).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof Error);
        const messages: string[] = [];
        for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message, String((e as { hint?: string }).hint ?? ''));
        const all = messages.join('\n');
        assert.ok(!all.includes(secretPass), all);
        for (const line of text.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'))) {
          assert.ok(!all.includes(line.slice(0, 16)), all);
        }
      }
    });
  });

  describe('export', () => {
    it('SPKI PEM equals openssl pkey -pubout of the same key', async () => {
      const key = await parsePrivateKey(fixture('rsa2048-pkcs8.pem'));
      assert.equal(exportPublicKeyPem(key.publicKey), runTool('openssl', ['pkey', '-pubout', '-in', '{k}'], { k: fixture('rsa2048-pkcs8.pem') }));
      assert.equal(exportPublicKeyPem(key.publicKey), fixture('rsa2048-spki.pem'));
    });

    it('OpenSSH line equals ssh-keygen -y of the same key, with the comment appended', async () => {
      for (const file of ['rsa2048-pkcs8.pem', 'rsa2048-e3-pkcs8.pem']) {
        const key = await parsePrivateKey(fixture(file));
        const line = runTool('ssh-keygen', ['-y', '-f', '{k}'], { k: fixture(file) }).trim();
        assert.equal(exportPublicKeyOpenSsh(key.publicKey), line);
        assert.equal(exportPublicKeyOpenSsh(key.publicKey, 'me@host'), `${line} me@host`);
        assert.equal(key.publicKey.fingerprint, EXPECTED[file].fingerprint);
      }
      const withComment = parsePublicKey(fixture('rsa3072-openssh.pub'));
      assert.equal(exportPublicKeyOpenSsh(withComment, withComment.comment), fixture('rsa3072-openssh.pub').trim());
    });

    it('encrypted export (default 600 000 iterations) opens with openssl pkey and re-imports', async () => {
      const key = await parsePrivateKey(fixture('rsa2048-pkcs8.pem'));
      const pem = await exportPrivateKeyEncrypted(key, 'export pass');
      assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      assert.equal(isEncryptedPrivateKey(pem), true);
      const asn1 = runTool('openssl', ['asn1parse', '-in', '{k}'], { k: pem });
      assert.match(asn1, /PBES2/);
      assert.match(asn1, /hmacWithSHA256/);
      assert.match(asn1, /aes-256-cbc/);
      assert.match(asn1, /INTEGER\s+:0927C0\s*$/m); // 600 000 iterations
      const decrypted = runTool('openssl', ['pkey', '-in', '{k}', '-passin', 'pass:export pass'], { k: pem });
      assert.equal(decrypted, fixture('rsa2048-pkcs8.pem'));
      const back = await parsePrivateKey(pem, 'export pass');
      assert.deepEqual(back.pkcs8Der, key.pkcs8Der);
      await assert.rejects(parsePrivateKey(pem, 'export pasS'), PassphraseError);
    });

    it('refuses fewer than 600 000 iterations unless the test-only option is set', async () => {
      const key = await parsePrivateKey(fixture('rsa2048-pkcs8.pem'));
      await assert.rejects(exportPrivateKeyEncrypted(key, 'p', { iterations: 1000 }), /at least 600000/);
      await assert.rejects(exportPrivateKeyEncrypted(key, '', {}), /passphrase/);
      const pem = await exportPrivateKeyEncrypted(key, 'p', { iterations: 1000, insecureAllowLowIterationsForTests: true });
      assert.deepEqual((await parsePrivateKey(pem, 'p')).pkcs8Der, key.pkcs8Der);
    });
  });

  describe('createSelfSignedCertificate', () => {
    it('writes a certificate openssl parses and verifies, carrying the key and subject', async () => {
      const key = await parsePrivateKey(fixture('rsa2048-pkcs8.pem'));
      const pem = await createSelfSignedCertificate(key, { commonName: 'Zoë Example', email: 'zoe@example.com', validDays: 30 });
      const text = runTool('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8', '-in', '{c}'], { c: pem });
      assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
      assert.match(text, /CN\s?=\s?Zoë Example/);
      assert.match(text, /CA:TRUE/);
      assert.match(text, /email:zoe@example.com/);
      assert.match(runTool('openssl', ['verify', '-CAfile', '{c}', '{c}'], { c: pem }), /: OK/);
      const pub = runTool('openssl', ['x509', '-noout', '-pubkey', '-in', '{c}'], { c: pem });
      assert.equal(pub, exportPublicKeyPem(key.publicKey));
      const back = parsePublicKey(pem);
      assert.equal(back.fingerprint, key.publicKey.fingerprint);
      assert.equal(back.comment, 'Zoë Example <zoe@example.com>');
      const dates = runTool('openssl', ['x509', '-noout', '-startdate', '-enddate', '-in', '{c}'], { c: pem });
      const [start, end] = [...dates.matchAll(/=(.*)$/gm)].map((m) => Date.parse(m[1]));
      assert.equal(end - start, 30 * 86_400_000);
    });

    it('refuses an empty common name and a bad email', async () => {
      const key = await parsePrivateKey(fixture('rsa2048-pkcs8.pem'));
      await assert.rejects(createSelfSignedCertificate(key, { commonName: ' ' }), /commonName/);
      await assert.rejects(createSelfSignedCertificate(key, { commonName: 'a', email: 'not an email' }), /email/);
      await assert.rejects(createSelfSignedCertificate(key, { commonName: 'a', validDays: 0 }), /validDays/);
    });
  });

  describe('generateRsaKeyPair', () => {
    const backends = [createWebCryptoBackend(), createNodeCryptoBackend()];
    for (const backend of backends) {
      it(`generates a 2048-bit key with the ${backend.name} backend`, async () => {
        const key: RsaPrivateKey = await generateRsaKeyPair(backend, 2048);
        assert.equal(key.publicKey.bits, 2048);
        const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(key.pkcs8Der).toString('base64')}\n-----END PRIVATE KEY-----\n`;
        assert.equal(runTool('ssh-keygen', ['-lf', '{k}'], { k: pem }).split(' ')[1], key.publicKey.fingerprint);
        assert.deepEqual(publicKeyFromSpkiDer(key.publicKey.spkiDer), key.publicKey);
      });
    }

    it('defaults to 3072 bits and refuses sizes it does not generate', async () => {
      const backend = createNodeCryptoBackend();
      assert.equal((await generateRsaKeyPair(backend)).publicKey.bits, 3072);
      await assert.rejects(generateRsaKeyPair(backend, 1024 as 2048), /bits/);
    });
  });

  describe('the 2048-bit floor', () => {
    // One check, where a key object is made, in one wording: no other layer has a floor of its own
    // that a path could miss or word differently.
    const FLOOR = 'RSA key is 1024 bits; Custodian requires at least 2048 bits';
    const refused = (e: unknown): boolean => e instanceof WeakKeyError && e.message === FLOOR;

    it('every way a key object is made refuses a 1024-bit key with the same words', async () => {
      const spkiPem = fixture('rsa1024-spki.pem');
      const spkiDer = new Uint8Array(createPublicKey(spkiPem).export({ format: 'der', type: 'spki' }));
      const pkcs8Pem = fixture('rsa1024-pkcs8.pem');
      const pkcs8Der = new Uint8Array(createPrivateKey(pkcs8Pem).export({ format: 'der', type: 'pkcs8' }));
      assert.throws(() => parsePublicKey(spkiPem), refused);
      assert.throws(() => parsePublicKey(fixture('rsa1024-openssh.pub')), refused);
      assert.throws(() => publicKeyFromSpkiDer(spkiDer), refused);
      assert.throws(() => privateKeyFromPkcs8Der(pkcs8Der), refused);
      await assert.rejects(parsePrivateKey(pkcs8Pem), refused);
    });

    it('a 1024-bit pair from a backend (a cast past RsaKeySize) cannot become a key', async function () {
      this.timeout(20000);
      for (const backend of [createNodeCryptoBackend(), createWebCryptoBackend()]) {
        const pair = await backend.generateRsaKeyPair(1024 as RsaKeySize);
        assert.throws(() => privateKeyFromPkcs8Der(pair.pkcs8Der), refused, backend.name);
        assert.throws(() => publicKeyFromSpkiDer(pair.spkiDer), refused, backend.name);
      }
    });
  });

  describe('shortFingerprint', () => {
    it('takes the first 8 characters after SHA256:', () => {
      assert.equal(shortFingerprint(RSA2048.fingerprint), RSA2048.fingerprint.slice(7, 15));
      assert.throws(() => shortFingerprint('MD5:aa:bb'), /SHA256/);
    });
  });
});
