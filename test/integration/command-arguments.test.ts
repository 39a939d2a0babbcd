// Command arguments are parsed, not cast (commands/arguments.ts): any extension can run a command with
// any object, so a field of the wrong type is refused by name, and an object standing for a stored
// thing (a roster entry, a contact, a shared MFA entry) only names it: the command looks it up again
// and never acts on what the object claims (its file, its key).
import * as assert from 'assert';
import * as fs from 'fs';
import { captureErrors, run } from './support/custodian';
import { useTeam, wsPath, wsUri } from './support/enc';

describe('command arguments', function () {
  this.timeout(60_000);
  const team = useTeam();

  it('a forged roster entry cannot make Remove Teammate delete a file outside the roster', async () => {
    fs.writeFileSync(wsPath('precious.txt'), 'not a roster file\n');
    const forged = { kind: 'problem', name: 'alice', uri: wsUri('precious.txt'), problem: 'x' };
    const { result, errors } = await captureErrors(team.services, () => run('custodian.removeTeammate', { entry: forged, confirm: true, reencrypt: false }));
    assert.strictEqual(result, undefined);
    assert.ok(fs.existsSync(wsPath('precious.txt')), 'the file the forged entry named is still there');
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /precious\.txt is not in the team roster/);
    fs.rmSync(wsPath('precious.txt'));
  });

  it('a roster entry claiming another key is checked against the key in the roster file', async () => {
    const alice = (await team.services.roster.members()).find((m) => m.key.fingerprint === team.alice.publicKey.fingerprint);
    assert.ok(alice, 'alice is on the team');
    const forged = { ...alice, key: { ...alice.key, fingerprint: team.mallory.publicKey.fingerprint } };
    const result = await run<{ match: boolean; expected: string }>('custodian.verifyFingerprint', { entry: forged, fingerprint: team.alice.publicKey.fingerprint });
    assert.deepStrictEqual(result, { match: true, expected: team.alice.publicKey.fingerprint }, 'compared with the key alice.pub holds, not the one the object claims');
  });

  it('a field of the wrong type is refused by name, and nothing is done', async () => {
    const before = team.services.keyStore.list().length;
    const { result, errors } = await captureErrors(team.services, () => run('custodian.generateKey', { name: 'typed', bits: '4096' }));
    assert.strictEqual(result, undefined);
    assert.strictEqual(team.services.keyStore.list().length, before, 'no key was generated');
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /argument "bits" must be one of 2048, 3072, 4096/);

    const encrypted = await captureErrors(team.services, () => run('custodian.encryptFile', { uri: wsPath('nothing.txt') }));
    assert.strictEqual(encrypted.result, undefined);
    assert.match(encrypted.errors[0]?.message ?? '', /argument "uri" must be a Uri/);
  });
});
