// Every file the extension writes on disk (re-encrypted .enc files, roster entries, share sets, MFA
// seeds) goes through the module the CLI uses (node/atomic-file, via storage/workspace-files.ts): a
// temporary file beside the target, fsync, then a rename, so a reader or git never sees half a file;
// a replaced file keeps its permissions, and "do not replace" is refused before anything changes.
import * as assert from 'assert';
import * as fs from 'fs';
import type { ReencryptResult } from '../../src/extension/commands/rekey/reencrypt';
import type { RosterWriteResult } from '../../src/extension/commands/team/add-to-team';
import { exportPublicKeyOpenSsh } from '../../src/core/keys';
import { captureErrors, run, teamDir } from './support/custodian';
import { encryptFor, useTeam, wsPath, wsUri } from './support/enc';

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.includes('.custodian-tmp'));
}

describe('atomic writes', function () {
  this.timeout(60_000);
  const team = useTeam();

  it('Re-encrypt replaces a .enc file whole, keeps its permissions and leaves no temporary file', async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('perm.env.enc'), await encryptFor([me], 'PERM=1\n', team.alice.key));
    fs.chmodSync(wsPath('perm.env.enc'), 0o640);
    const before = fs.readFileSync(wsPath('perm.env.enc'));
    const res = await run<ReencryptResult>('custodian.reencryptFile', { uri: wsUri('perm.env.enc'), quiet: true });
    assert.strictEqual(res?.reencrypted.length, 1);
    assert.ok(!fs.readFileSync(wsPath('perm.env.enc')).equals(before), 're-encrypted');
    assert.strictEqual((fs.statSync(wsPath('perm.env.enc')).mode & 0o777).toString(8), '640');
    assert.deepStrictEqual(leftovers(wsPath()), []);
    fs.rmSync(wsPath('perm.env.enc'));
  });

  it('a roster file is replaced only when asked, keeping its permissions', async () => {
    const file = `${teamDir()}/bob.pub`;
    const mallory = exportPublicKeyOpenSsh(team.mallory.publicKey, 'mallory');
    const before = fs.readFileSync(file);
    const refused = await captureErrors(team.services, () => run<RosterWriteResult>('custodian.addTeammate', { text: mallory, name: 'bob', confirm: true }));
    assert.strictEqual(refused.result, undefined);
    assert.ok(fs.readFileSync(file).equals(before), 'bob.pub unchanged when not told to overwrite');

    fs.chmodSync(file, 0o604);
    const replaced = await run<RosterWriteResult>('custodian.addTeammate', { text: mallory, name: 'bob', confirm: true, overwrite: true });
    assert.strictEqual(replaced?.fingerprint, team.mallory.publicKey.fingerprint);
    assert.strictEqual((fs.statSync(file).mode & 0o777).toString(8), '604');
    assert.deepStrictEqual(leftovers(teamDir()), []);
    fs.writeFileSync(file, before);
  });
});
