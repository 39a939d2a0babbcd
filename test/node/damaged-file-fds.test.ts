// A long-lived host (the extension) opens many files: each failed open must close its descriptor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { armor } from '../../src/core/armor';
import { decryptStream, encryptBytes, inspectEnvelope } from '../../src/core/envelope';
import { parseHeader } from '../../src/core/envelope-header';
import { CustodianError } from '../../src/core/errors';
import { collectStream } from '../../src/core/stream';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { readFileChunks, readFileReusingBuffers } from '../../src/node/node-streams';
import { loadKey } from '../core/envelope-fixtures';

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

describe('node: damaged files do not leak file descriptors', function () {
  this.timeout(60000);
  const backend = createNodeCryptoBackend();
  const alice = loadKey('alice');
  const bob = loadKey('bob');
  let dir: string;
  const files: Record<string, string> = {};
  before(async function () {
    if (!fs.existsSync('/proc/self/fd')) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-fds-'));
    // Larger than one read, so the reader has not reached the end (and closed) by itself.
    const good = await encryptBytes(new Uint8Array(3 << 20).fill(7), { recipients: [alice.publicKey], backend });
    const headerLength = parseHeader(good).bytes.length;
    const write = (name: string, bytes: Uint8Array | string): void => {
      files[name] = path.join(dir, name);
      fs.writeFileSync(files[name], bytes);
    };
    const badMac = good.slice();
    badMac[headerLength - 1] ^= 1;
    write('bad-mac.enc', badMac);
    const badMagic = good.slice();
    badMagic[0] ^= 0x20;
    write('bad-magic.enc', badMagic);
    const badChunk = good.slice();
    badChunk[headerLength + 100] ^= 1;
    write('bad-chunk.enc', badChunk);
    write('good.enc', good);
    write('bad-mac.armored', armor(badMac));
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const readers = { readFileChunks: (p: string) => readFileChunks(p), readFileReusingBuffers: (p: string) => readFileReusingBuffers(p) };
  for (const [readerName, read] of Object.entries(readers)) {
    for (const [name, identities] of [
      ['bad-mac.enc', () => [alice]],
      ['bad-magic.enc', () => [alice]],
      ['bad-chunk.enc', () => [alice]],
      ['good.enc', () => [bob]], // no identity matched
      ['bad-mac.armored', () => [alice]],
    ] as const) {
      it(`${readerName}: 40 failed decrypts of ${name}${name === 'good.enc' ? ' (no identity matched)' : ''} leave the descriptor count unchanged`, async () => {
        const before = openFds();
        for (let i = 0; i < 40; i++) {
          await assert.rejects(
            (async () => {
              const d = await decryptStream(read(files[name]), { identities: identities(), backend });
              await collectStream(d.plaintext);
            })(),
            (err) => err instanceof CustodianError,
          );
        }
        const after = openFds();
        assert.ok(after - before <= 2, `open descriptors went from ${before} to ${after}`);
      });
    }
    it(`${readerName}: 40 failed inspects leave the descriptor count unchanged`, async () => {
      const before = openFds();
      for (let i = 0; i < 40; i++) await assert.rejects(inspectEnvelope(read(files['bad-magic.enc'])), CustodianError);
      const after = openFds();
      assert.ok(after - before <= 2, `open descriptors went from ${before} to ${after}`);
    });
  }
});
