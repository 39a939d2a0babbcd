// Error notifications a user can act on: a damaged `.enc` file or key says what happened and what to do
// (whom to ask, by name), while the precise technical message goes to the Custodian output channel.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { SignerMismatchError } from '../../src/core/errors';
import { toDecryptedUri } from '../../src/extension/fs/enc-uri';
import { errorContext } from '../../src/extension/ui/error-context';
import { sentence } from '../../src/extension/ui/messages';
import { captureErrors, opensslRsa, run, waitFor } from './support/custodian';
import { encryptFor, filesContaining, useTeam, wsPath, wsUri } from './support/enc';

const USER_DATA = process.env.CUSTODIAN_TEST_USER_DATA_DIR ?? '';
const FIELD_PAYLOAD = 0x8001; // docs/FORMAT.md: the payload field holds the chunk size first

/** The log files of the Custodian output channel that contain `text`. */
async function loggedWhere(text: string): Promise<string[]> {
  return waitFor(`"${text}" in the output channel's log`, async () => {
    // The Custodian output channel's own log file (a LogOutputChannel writes one per channel).
    const hits = filesContaining(path.join(USER_DATA, 'logs'), text).filter((f) => /custodian/i.test(path.relative(USER_DATA, f)));
    return hits.length > 0 && hits;
  });
}

describe('error messages', function () {
  this.timeout(60_000);
  const team = useTeam();

  it('a message that starts with a file name keeps the name as written; a first word of lowercase letters is capitalised', () => {
    assert.strictEqual(sentence('plain.env has no values encrypted by Custodian'), 'plain.env has no values encrypted by Custodian.');
    assert.strictEqual(sentence('config/app.json is not UTF-8 text.'), 'config/app.json is not UTF-8 text.');
    assert.strictEqual(sentence('db_url is empty'), 'db_url is empty.');
    assert.strictEqual(sentence('rsa key is 1024 bits'), 'Rsa key is 1024 bits.');
    assert.strictEqual(sentence('no identity matched: ask alice'), 'No identity matched: ask alice.');
    assert.strictEqual(sentence('.env has unsaved changes'), '.env has unsaved changes.');
  });

  async function openDamaged(name: string, damage: (bytes: Buffer) => void) {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const bytes = Buffer.from(await encryptFor([me, team.alice.publicKey], 'X=damaged-plaintext\n', team.alice.key));
    damage(bytes);
    fs.writeFileSync(wsPath(name), bytes);
    const { result, errors } = await captureErrors(team.services, () => run('custodian.openDecrypted', { uri: wsUri(name) }));
    assert.strictEqual(result, undefined, 'nothing opened');
    assert.strictEqual(errors.length, 1);
    return errors[0];
  }

  it('a damaged .enc says it is damaged and to ask the person who encrypted it (by name); the detail is in the output channel', async () => {
    const shown = await openDamaged('damaged.env.enc', (b) => {
      b[b.length - 256 - 10] ^= 0x01; // inside the final chunk (the 256-byte signature follows)
    });
    assert.strictEqual(shown.name, 'PayloadAuthError');
    assert.match(shown.message, /^damaged\.env\.enc is damaged or was modified after it was written/);
    assert.match(shown.hint ?? '', /Restore damaged\.env\.enc from git .*, or ask alice to re-encrypt it\./);
    assert.ok(shown.detail, 'the technical message is kept');
    assert.ok(!shown.message.includes(shown.detail), 'and not shown');
    assert.ok(!`${shown.message} ${shown.hint}`.includes('damaged-plaintext'), 'no plaintext');
    await loggedWhere(shown.detail);
  });

  it('a .enc whose header no longer parses (chunk size out of range) says damaged, not "chunk size …"', async () => {
    const shown = await openDamaged('header.env.enc', (b) => {
      for (let offset = 14; offset < b.length; ) {
        const type = b.readUInt16BE(offset);
        const length = b.readUInt32BE(offset + 2);
        if (type === FIELD_PAYLOAD) {
          b.writeUInt32BE(17039360, offset + 6);
          return;
        }
        offset += 6 + length;
      }
      assert.fail('no payload field');
    });
    assert.strictEqual(shown.name, 'FormatError');
    assert.match(shown.message, /^header\.env\.enc is damaged: it is not a readable Custodian encrypted file/);
    assert.doesNotMatch(`${shown.message} ${shown.hint}`, /chunk size|17039360/);
    assert.match(shown.hint ?? '', /ask whoever encrypted it to re-encrypt it/, 'the header cannot say who');
    assert.match(shown.detail ?? '', /chunk size 17039360 outside 16\.\.16777216/);
    await loggedWhere('chunk size 17039360 outside');
    // Opened as a document (double-click, a link): the editor's error says the same, details after.
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(toDecryptedUri(wsUri('header.env.enc')))), (err: Error) => {
      assert.match(err.message, /This file is damaged: .*re-encrypt it\. Details: Malformed header: chunk size 17039360/);
      return true;
    });
  });

  it('a damaged key (DER with trailing bytes) says so and what to do; the DER detail is in the output channel', async () => {
    const pkcs8 = execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'], { input: opensslRsa(2048) });
    const damaged = Buffer.concat([pkcs8, Buffer.from([0x05, 0x00])]);
    const pem = `-----BEGIN PRIVATE KEY-----\n${damaged.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
    const { result, errors } = await captureErrors(team.services, () => run('custodian.importPrivateKey', { pem, name: 'damaged' }));
    assert.strictEqual(result, undefined);
    assert.strictEqual(errors[0]?.name, 'KeyFormatError');
    assert.match(errors[0].message, /^This key is damaged/);
    assert.match(errors[0].hint ?? '', /export the key again/);
    assert.match(errors[0].detail ?? '', /trailing/i);
    await loggedWhere(errors[0].detail!);
  });

  it('names known keys instead of showing their fingerprints ("you" for mine)', async () => {
    const { errors } = await captureErrors(team.services, async () =>
      team.services.errors.report(
        new SignerMismatchError(`signed by ${team.alice.fingerprint}, expected ${team.me.fingerprint}`),
        'test',
        await errorContext(team.services, undefined),
      ),
    );
    assert.strictEqual(errors[0]?.message, 'signed by alice, expected "me" (you)');
  });
});
