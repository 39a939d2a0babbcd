// The conflict form of a value-encrypted file (docs/VALUES.md §12): split and joined exactly, and each
// side opened in full, so an edited side between the markers is refused like any edited file.
import { strict as assert } from 'node:assert';
import { FormatError, ValueAuthError } from '../../src/core/errors';
import { openValues, sealValues } from '../../src/core/values';
import { isConflictedValues, joinConflict, openConflictedValues, splitConflict } from '../../src/core/values-conflict';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const backend = createNodeCryptoBackend();

describe('core/values-conflict', () => {
  it('joins two texts with markers only where lines differ, and splits them back byte for byte', () => {
    const ours = 'a\nb\nc\nd\ne\nf\ng\n';
    const theirs = 'a\nB\nc\nd\ne\nf\nG\n';
    const joined = joinConflict(ours, theirs);
    // As git merge-file: conflicts at most three lines apart would be one.
    assert.equal(joined, 'a\n<<<<<<< ours\nb\n=======\nB\n>>>>>>> theirs\nc\nd\ne\nf\n<<<<<<< ours\ng\n=======\nG\n>>>>>>> theirs\n');
    assert.deepEqual(splitConflict(joined!), { ours, theirs, markerSize: 7, conflicts: 2 });
    assert.equal(splitConflict('no markers\n'), undefined);
    assert.equal(splitConflict(joinConflict('x\n', 'y\n', 10)!)?.markerSize, 10);
  });

  it('refuses markers out of order or not closed instead of guessing a side', () => {
    assert.throws(() => splitConflict('<<<<<<< ours\na\n=======\nb\n'), FormatError);
    assert.throws(() => splitConflict('a\n=======\n<<<<<<< ours\n'), FormatError);
    assert.throws(() => splitConflict('<<<<<<< ours\n>>>>>>> theirs\n=======\n'), FormatError);
  });

  it('opens both sides in full: a token swapped inside the theirs section is refused, nothing is returned', async () => {
    const alice = loadKey('alice');
    const ours = await sealValues('A=1\nB=ours\nC=3\n', { format: 'dotenv', recipients: [alice.publicKey], signer: alice, backend });
    const opened = await openValues(ours, { format: 'dotenv', identities: [alice], backend });
    const theirs = await opened.reseal('A=1\nB=theirs\nC=3\n', { backend, signer: alice });
    opened.dispose();
    const joined = joinConflict(ours, theirs)!;
    assert.ok(isConflictedValues(joined, 'dotenv'));
    const view = await openConflictedValues(joined, { format: 'dotenv', identities: [alice], backend });
    assert.equal(view.document, 'A=1\n<<<<<<< ours\nB=ours\n=======\nB=theirs\n>>>>>>> theirs\nC=3\n');
    view.ours.dispose();
    view.theirs.dispose();
    // The attacker moves the token of A into theirs' B line: each token is genuine, the path is not.
    const tokenA = /^A=(.*)$/m.exec(joined)![1];
    const forged = joined.replace(/(=======\nB=)[^\n]*/, `$1${tokenA}`);
    await assert.rejects(openConflictedValues(forged, { format: 'dotenv', identities: [alice], backend }), ValueAuthError);
  });
});
