// A version of an encrypted file that someone outside the team wrote, or can read, is announced when it
// reaches the workspace (src/extension/outsider-files.ts): the attacker is a teammate removed from the
// roster who can still push. Files are written to disk as a pull writes them (renamed into place), and
// the notice comes through VS Code's real file watchers.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { sealValues } from '../../src/core/values';
import { run, waitFor } from './support/custodian';
import { answerModals } from './support/modals';
import { backend, encryptFor, readdToRoster, sleep, useTeam, wsPath, wsUri } from './support/enc';

const FILES = ['outsider-app.env.enc', 'outsider-new.env.enc', 'outsider-values.env'];

describe('outsider files: a version from outside the team is announced', function () {
  this.timeout(180000);
  const team = useTeam();
  let warned: string[] = [];
  const buttons = new Map<string, string[]>();
  let restore: (() => void) | undefined;

  beforeEach(() => {
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    warned = [];
    window.showWarningMessage = (message: string, ...rest: unknown[]) => {
      warned.push(message);
      buttons.set(message, rest.filter((i): i is string => typeof i === 'string'));
      return original.call(vscode.window, message, ...rest);
    };
    restore = () => (window.showWarningMessage = original);
  });

  afterEach(async () => {
    restore?.();
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // The suites after this one list the workspace's encrypted files: none of this test's is left.
    for (const name of FILES) fs.rmSync(wsPath(name), { force: true });
    fs.rmSync(wsPath('outsider-deploy'), { recursive: true, force: true });
  });

  /** Writes `bytes` as git writes a file it checks out: a new file renamed over the old one. */
  function pull(name: string, bytes: Uint8Array | string): void {
    fs.writeFileSync(wsPath(`${name}.tmp`), bytes);
    fs.renameSync(wsPath(`${name}.tmp`), wsPath(name));
  }

  const notices = (): string[] => warned.filter((m) => /now on disk/.test(m));

  it('a version a removed teammate signed, or one a stranger can read, is announced once; a roster change, my own saves and the team\'s files are not', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const { alice, bob, mallory } = team;
    // The team's own file arrives: no news. (Longer than the notice's settling time, and the watcher's.)
    pull('outsider-app.env.enc', await encryptFor([meKey, alice.publicKey, bob.publicKey], 'A=1\n', alice.key));
    await sleep(2500);
    assert.deepStrictEqual(notices(), [], 'a file for the team, signed by a teammate');

    // bob is removed: the file is still for him, which Remove Teammate says; it is no news here.
    try {
      assert.ok(await run('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: false }));
      await sleep(2500);
      assert.deepStrictEqual(notices(), [], 'a roster change alone');

      // bob can still push: he replaces the file's content and signs it.
      pull('outsider-app.env.enc', await encryptFor([meKey, alice.publicKey, bob.publicKey], 'A=1\nEXTRA=from-bob\n', bob.key));
      await waitFor('the notice about bob\'s version', async () => notices().length === 1, 15_000);
      assert.match(notices()[0], /^The version of outsider-app\.env\.enc now on disk is signed by bob, who was removed from the team\. Check what it changed before you use it, and restore the team's version if it is not what you expect \(re-encrypting would sign it as yours\)\.$/);
      assert.deepStrictEqual(buttons.get(notices()[0]), ['Show Changes', 'Show Encrypted Files'], 'what he changed is one click away');

      // He pushes again: the same signer on the same file is not news twice (the status bar keeps saying it).
      pull('outsider-app.env.enc', await encryptFor([meKey, alice.publicKey, bob.publicKey], 'A=1\nEXTRA=again\n', bob.key));
      await sleep(2500);
      assert.strictEqual(notices().length, 1);

      // I save it, agreeing to sign it and leaving bob out, as asked: my own save is no news.
      const modals = answerModals((p) => (/Saving signs it as you/.test(p.message) ? 'Save and Sign as Me' : /still encrypted for bob/.test(p.message) ? 'Save Without Them' : undefined));
      try {
        await run('custodian.openDecrypted', { uri: wsUri('outsider-app.env.enc') });
        const editor = vscode.window.activeTextEditor!;
        await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'B=2\n'));
        assert.ok(await editor.document.save());
      } finally {
        modals.dispose();
      }
      await sleep(2500);
      assert.strictEqual(notices().length, 1, JSON.stringify(notices()));

      // A version encrypted for bob again and a new file for a stranger, both signed by alice, arrive in one pull.
      pull('outsider-app.env.enc', await encryptFor([meKey, alice.publicKey, bob.publicKey], 'A=4\n', alice.key));
      pull('outsider-values.env', await sealValues('TOKEN=t0k3n\n', { format: 'dotenv', recipients: [meKey, alice.publicKey, mallory.publicKey], signer: alice.key, backend }));
      await waitFor('one notice for both files', async () => notices().length === 2, 15_000);
      assert.match(notices()[1], /^2 encrypted files now on disk can be read by, or were written by, someone not on the team \(bob, a key Custodian does not know \(\S+…\)\): (outsider-app\.env\.enc, outsider-values\.env|outsider-values\.env, outsider-app\.env\.enc)\. Check what they changed before you use them\.$/);
      assert.ok(notices()[1].includes(mallory.fingerprint.slice(7, 19)), notices()[1]);

      // A new file for a stranger, unsigned: both said.
      pull('outsider-new.env.enc', await encryptFor([meKey, mallory.publicKey], 'N=1\n'));
      await waitFor('the notice about the new file', async () => notices().length === 3, 15_000);
      // It has no earlier version: where it came from is what to check, not what it changed (a newcomer
      // was told to restore a team's version that does not exist).
      assert.match(notices()[2], /^The new file outsider-new\.env\.enc, now on disk, is unsigned, and also encrypted for someone not on the team: a key Custodian does not know \(\S+…\)\. Check where it came from before you use it, and delete it if it is not what you expect; rotate what it holds\.$/);
      assert.deepStrictEqual(buttons.get(notices()[2]), ['Show Encrypted Files'], 'no changes to show');
    } finally {
      await readdToRoster(bob);
    }
  });

  it('a file a pull brings in a folder new to the workspace is announced, and a later version there too: VS Code\'s watcher on Linux misses files made in a new folder at once', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    await sleep(2500); // the previous test's clean-up has settled: nothing else makes the workspace looked at
    // As a checkout writes a new tree: the folders, then the file, with no pause between them.
    const eu = wsPath('outsider-deploy', 'prod', 'eu');
    fs.mkdirSync(eu, { recursive: true });
    fs.writeFileSync(`${eu}/app.env.enc`, await encryptFor([meKey, team.alice.publicKey, team.mallory.publicKey], 'DB=1\n', team.alice.key));
    await waitFor('the notice about the file in the new folder', async () => notices().some((m) => m.includes('app.env.enc')), 15_000);
    // Watched from then on: files a later pull brings there are seen, a .enc and a value-encrypted one.
    await sleep(2500);
    fs.writeFileSync(`${eu}/db.env.enc`, await encryptFor([meKey, team.mallory.publicKey], 'DB=2\n', team.alice.key));
    await waitFor('the notice about a later .enc file there', async () => notices().some((m) => m.includes('db.env.enc')), 15_000);
    await sleep(2500);
    fs.writeFileSync(`${eu}/values.env`, await sealValues('TOKEN=t0k3n\n', { format: 'dotenv', recipients: [meKey, team.mallory.publicKey], signer: team.alice.key, backend }));
    await waitFor('the notice about a later value-encrypted file there', async () => notices().some((m) => m.includes('values.env')), 15_000);
  });
});
