// Git and `.enc` files in the real VS Code: a conflict the merge driver left inside an encrypted file
// is resolved in the decrypted editor (VS Code's merge-conflict actions) and committed through the
// guard; Source Control / Timeline diffs of a `.enc` file show decrypted text; Set Up Git and its
// suggestion, with drivers that run the extension's own launcher. No plaintext reaches the repository,
// .git included.
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { armor } from '../../src/core/armor';
import { decryptBytes } from '../../src/core/envelope';
import { openValues, sealValues } from '../../src/core/values';
import type { RestoreTeamVersionResult } from '../../src/extension/commands/decrypt/restore-team-version';
import type { ShowTeamChangesResult } from '../../src/extension/commands/decrypt/show-team-changes';
import type { RsaPublicKey } from '../../src/core/keys';
import type { ReencryptResult } from '../../src/extension/commands/rekey/reencrypt';
import { captureErrors, getApi, recordContextKeys, recordInformationMessages, recordWarningMessages, run, scratchDir, section } from './support/custodian';
import { answerModals } from './support/modals';
import { backend, closeAllEditors, encryptFor, sleep, useTeam } from './support/enc';
import { extensionCli, gitIn, ok, teamRepo } from './support/git-repo';

const MARKER = 'GIT-PLAINTEXT-MARKER-51c2';

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Every file under `repo` (.git included) and every git object, decompressed, that holds MARKER. */
function plaintextIn(repo: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p).includes(MARKER)) hits.push(path.relative(repo, p));
    }
  };
  walk(repo);
  if (spawnSync('git', ['-C', repo, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 64 << 20 }).stdout.includes(MARKER)) hits.push('(a git object)');
  return hits;
}

describe('git: encrypted merges and diffs in VS Code', function () {
  this.timeout(120_000);
  const team = useTeam();
  let repo: string;
  let keys: string;
  let cli: string;
  let me: RsaPublicKey;
  const base = Array.from({ length: 8 }, (_, k) => `KEY_${k}=${MARKER}-base-${k}\n`);

  const git = gitIn(() => repo);
  const encFile = () => path.join(repo, '.env.enc');
  /** Commits everything in the repository; the new commit's id. */
  const commit = (message: string): string => {
    ok(git(['add', '-A']));
    ok(git(['commit', '-q', '-m', message]));
    return git(['rev-parse', 'HEAD']).stdout.trim();
  };

  before(async () => {
    me = (await team.services.keyStore.getPublicKey(team.me.id))!;
    keys = scratchDir();
    fs.writeFileSync(path.join(keys, 'alice.pem'), team.alice.privatePem, { mode: 0o600 });
    cli = extensionCli();
    repo = teamRepo('git-repo', me, team.alice.publicKey);
    fs.writeFileSync(encFile(), await encryptFor([me, team.alice.publicKey], base.join(''), team.alice.key));
    ok(git(['add', '-A']));
    ok(git(['commit', '-q', '-m', 'secrets']));
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(keys, { recursive: true, force: true });
  });

  it('a conflict inside an encrypted file: opened decrypted with the markers, resolved with Accept Current, saved, committed; no plaintext on disk', async () => {
    const ours = [...base];
    ours[3] = `KEY_3=${MARKER}-ours\n`;
    const theirs = [...base];
    theirs[3] = `KEY_3=${MARKER}-theirs\n`;
    ok(git(['checkout', '-q', '-b', 'feature']));
    fs.writeFileSync(encFile(), await encryptFor([me, team.alice.publicKey], theirs.join(''), team.alice.key));
    ok(git(['commit', '-q', '-am', 'theirs']));
    ok(git(['checkout', '-q', 'main']));
    fs.writeFileSync(encFile(), await encryptFor([me, team.alice.publicKey], ours.join(''), team.alice.key));
    ok(git(['commit', '-q', '-am', 'ours']));
    // Alice merges on the command line (the driver needs a key file), and gets the conflict.
    const merge = git(['merge', '--no-edit', 'feature'], { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') });
    assert.notStrictEqual(merge.status, 0);
    assert.match(merge.stdout + merge.stderr, /CONFLICT \(content\): Merge conflict in \.env\.enc/);
    assert.deepStrictEqual(plaintextIn(repo), []);

    // I open it in VS Code: decrypted, markers inside.
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(encFile()));
    await waitUntil('the decrypted editor', () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-enc');
    const editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.document.getText(), [...base.slice(0, 3), '<<<<<<< ours\n', ours[3], '=======\n', theirs[3], '>>>>>>> theirs\n', ...base.slice(4)].join(''));
    // VS Code's own merge-conflict action, as from its CodeLens.
    await vscode.commands.executeCommand('merge-conflict.accept.all-current');
    await waitUntil('the conflict resolved', () => !editor.document.getText().includes('<<<<<<<'));
    assert.strictEqual(editor.document.getText(), ours.join(''));
    const st = () => JSON.stringify({ dirty: editor.document.isDirty, v: editor.document.version, lang: editor.document.languageId });
    const before = st();
    const savedOk = await editor.document.save();
    assert.ok(savedOk, `saved (re-encrypted) ${before} ${st()}`);
    assert.deepStrictEqual(plaintextIn(repo), [], 'the save wrote ciphertext only');

    ok(git(['add', '.env.enc']));
    ok(git(['commit', '-q', '--no-edit'])); // through the pre-commit guard
    const committed = execFileSync('git', ['-C', repo, 'show', 'HEAD:.env.enc']);
    const opened = await decryptBytes(new Uint8Array(committed), { identities: [team.alice.key], backend });
    assert.strictEqual(new TextDecoder().decode(opened.plaintext), ours.join(''));
    // Accept Current is ours' text exactly: the save wrote ours' committed bytes back (alice signed them),
    // not a new encryption, so the merge takes ours unchanged.
    assert.strictEqual(opened.signature.kind === 'signed' && opened.signature.signer.fingerprint, team.alice.fingerprint, 'ours, as alice signed it');
    assert.ok(committed.equals(execFileSync('git', ['-C', repo, 'show', 'HEAD^1:.env.enc'])), 'byte for byte ours');
    assert.deepStrictEqual(plaintextIn(repo), []);
    await closeAllEditors();
  });

  it('a diff of a .enc file from git (Source Control, Timeline) opens decrypted on both sides', async () => {
    const gitExtension = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi }>('vscode.git');
    assert.ok(gitExtension, 'the built-in git extension');
    const api = (gitExtension.isActive ? gitExtension.exports : await gitExtension.activate()).getAPI(1);
    await api.openRepository(vscode.Uri.file(repo));
    const headText = new TextDecoder().decode((await decryptBytes(new Uint8Array(execFileSync('git', ['-C', repo, 'show', 'HEAD:.env.enc'])), { identities: [team.alice.key], backend })).plaintext);
    const next = headText.replace('KEY_6=', 'KEY_6=changed-');
    fs.writeFileSync(encFile(), await encryptFor([me, team.alice.publicKey], next, team.alice.key));
    const file = vscode.Uri.file(encFile());

    // What the Source Control view opens for a modified file: HEAD (git:) against the working file.
    await vscode.commands.executeCommand('vscode.diff', api.toGitUri(file, 'HEAD'), file, '.env.enc (Working Tree)');
    const diff = await decryptedDiff();
    assert.strictEqual((await vscode.workspace.openTextDocument(diff.original)).getText(), headText);
    // The working file changed on disk after the first test had it open: its watcher reloads it.
    await waitUntil('the working side to show the new text', async () => (await vscode.workspace.openTextDocument(diff.modified)).getText() === next);
    assert.strictEqual(diff.modified.query, file.toString(), 'the working-tree side is the editable decrypted file');
    // Both sides read alike in the breadcrumbs: workspace-relative, the git version where its file is.
    assert.strictEqual(diff.original.path, diff.modified.path);
    assert.ok(!diff.original.path.startsWith(repo), `${diff.original.path}: not the absolute path`);
    await closeAllEditors();

    // What a Timeline entry opens: one commit against its parent, both from git.
    await vscode.commands.executeCommand('vscode.diff', api.toGitUri(file, 'HEAD~1'), api.toGitUri(file, 'HEAD'), '.env.enc (HEAD~1 ↔ HEAD)');
    const timeline = await decryptedDiff();
    assert.match((await vscode.workspace.openTextDocument(timeline.modified)).getText(), /KEY_3=.*-ours/);
    assert.doesNotMatch((await vscode.workspace.openTextDocument(timeline.original)).getText(), /<<<<<<<|-theirs/);
    await closeAllEditors();
    ok(git(['checkout', '--', '.env.enc']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('a diff of a value-encrypted file from git shows the decrypted values on both sides, the working side editable', async () => {
    const gitExtension = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi }>('vscode.git');
    const api = (gitExtension!.isActive ? gitExtension!.exports : await gitExtension!.activate()).getAPI(1);
    await api.openRepository(vscode.Uri.file(repo));
    const before = `# database\nDB_HOST=db.internal\nDB_PASSWORD=${MARKER}-old\nAPI_TOKEN=${MARKER}-token\n`;
    const after = before.replace('-old', '-new');
    const envFile = path.join(repo, 'app.env');
    const sealed = await sealValues(before, { format: 'dotenv', recipients: [me, team.alice.publicKey], signer: team.alice.key, backend });
    fs.writeFileSync(envFile, sealed);
    ok(git(['add', 'app.env']));
    ok(git(['commit', '-q', '-m', 'values']));
    const opened = await openValues(sealed, { format: 'dotenv', identities: [team.alice.key], backend });
    fs.writeFileSync(envFile, await opened.reseal(after, { backend, signer: team.alice.key }));
    opened.dispose();
    const file = vscode.Uri.file(envFile);
    await waitUntil('the value-encrypted file in the index', () => team.encryption.valueFiles.has(file));

    // What the Source Control view opens: a text diff of tokens, HEAD against the working file. The
    // command settles (it would not if its tab were closed while VS Code was still opening it).
    await vscode.commands.executeCommand('vscode.diff', api.toGitUri(file, 'HEAD'), file, 'app.env (Working Tree)');
    let input: unknown;
    await waitUntil('the decrypted values diff', () => {
      input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff && input.original.scheme === 'custodian-values' && input.modified.scheme === 'custodian-values';
    }).catch((err: Error) => {
      throw new Error(`${err.message}; tabs: ${describeTabs()}`);
    });
    const diff = input as vscode.TabInputTextDiff;
    assert.strictEqual((await vscode.workspace.openTextDocument(diff.original)).getText(), before);
    assert.strictEqual((await vscode.workspace.openTextDocument(diff.modified)).getText(), after);
    assert.strictEqual(diff.modified.query, file.toString(), 'the working-tree side is the editable decrypted file');
    // Both sides read alike in the breadcrumbs: workspace-relative, the git version where its file is.
    assert.strictEqual(diff.original.path, diff.modified.path);
    assert.ok(!diff.original.path.startsWith(repo), `${diff.original.path}: not the absolute path`);
    const tokenTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme !== 'custodian-values');
    assert.deepStrictEqual(tokenTabs.map((t) => t.label), [], 'the diff of tokens was replaced');
    // The version in git is read-only.
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(diff.original, new TextEncoder().encode('X=1\n'))));
    await closeAllEditors();
    ok(git(['checkout', '--', 'app.env']));
    assert.deepStrictEqual(plaintextIn(repo), []);
    // The tests after this one set up git for .enc files only.
    ok(git(['rm', '-q', 'app.env']));
    ok(git(['commit', '-q', '-m', 'no values']));
  });

  it("Show Changes Since the Team's Version: the diff starts at the newest version a teammate verifiably signed, past an outsider's, an unsigned and a forged one", async () => {
    const { mallory, alice } = team;
    const enc = path.join(repo, 'team-changes.env.enc');
    const values = path.join(repo, 'team-changes.env');
    const text = (b: string): string => `A=${MARKER}-kept\nB=${MARKER}-${b}\n`;
    fs.writeFileSync(enc, await encryptFor([me, alice.publicKey], text('team'), alice.key));
    fs.writeFileSync(values, await sealValues(text('team'), { format: 'dotenv', recipients: [me, alice.publicKey], signer: alice.key, backend }));
    const teamCommit = commit('the team\'s version');
    // mallory, not on the team but able to push, writes both for herself too, and signs them.
    fs.writeFileSync(enc, await encryptFor([me, alice.publicKey, mallory.publicKey], text('mallory-1'), mallory.key));
    fs.writeFileSync(values, await sealValues(text('mallory-1'), { format: 'dotenv', recipients: [me, alice.publicKey, mallory.publicKey], signer: mallory.key, backend }));
    commit('mallory');
    // Then an unsigned version, and one whose header names alice as its signer but whose content is not hers.
    fs.writeFileSync(enc, await encryptFor([me, alice.publicKey], text('unsigned')));
    commit('unsigned');
    const forged = await encryptFor([me, alice.publicKey], text('forged'), alice.key);
    forged[forged.length - 300] ^= 1;
    fs.writeFileSync(enc, forged);
    commit('forged');
    // On disk, not committed yet: mallory's latest.
    fs.writeFileSync(enc, await encryptFor([me, alice.publicKey, mallory.publicKey], text('mallory-2'), mallory.key));

    for (const [file, scheme, now] of [[enc, 'custodian-enc', text('mallory-2')], [values, 'custodian-values', text('mallory-1')]] as const) {
      const shown = await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(file) });
      assert.strictEqual(shown?.teamVersion?.commit, teamCommit, `${path.basename(file)}: the version alice signed`);
      assert.strictEqual(shown.teamVersion.signer.name, 'alice');
      let input: unknown;
      await waitUntil(`the diff of ${path.basename(file)}`, () => {
        input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputTextDiff && input.original.scheme === scheme && input.modified.scheme === scheme;
      });
      const diff = input as vscode.TabInputTextDiff;
      assert.strictEqual((await vscode.workspace.openTextDocument(diff.original)).getText(), text('team'));
      assert.strictEqual((await vscode.workspace.openTextDocument(diff.modified)).getText(), now);
      assert.match(vscode.window.tabGroups.activeTabGroup.activeTab!.label, /the version alice signed/);
      if (file === values) {
        // Committed as it is on disk (as after a pull): the right side is HEAD's, read-only, so reading it cannot start a save.
        await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(diff.modified, new TextEncoder().encode('B=typed\n'))));
      }
      await closeAllEditors();
    }

    // A version a teammate signed is the team's: nothing to compare.
    fs.writeFileSync(enc, await encryptFor([me, alice.publicKey], text('alice-again'), alice.key));
    const told = recordInformationMessages();
    try {
      const shown = await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(enc) });
      assert.strictEqual(shown?.diff, undefined);
      assert.match(told.told.join('\n'), /team-changes\.env\.enc is signed by alice, whom Custodian vouches for/);
    } finally {
      told.dispose();
    }
    // One whose header names alice but whose content is not hers is not taken for the team's version.
    fs.writeFileSync(enc, forged);
    const claimed = await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(enc) });
    assert.strictEqual(claimed?.teamVersion?.commit, teamCommit, 'compared with the version alice did sign');
    await closeAllEditors();

    // Restore the Team's Version puts alice's ciphertext back byte for byte, and nothing else.
    const teamBlob = (name: string): Buffer => execFileSync('git', ['cat-file', 'blob', `${teamCommit}:${name}`], { cwd: repo });
    // Not committed yet (mallory's latest): replaced only when the person says so.
    const uncommitted = await encryptFor([me, alice.publicKey, mallory.publicKey], text('mallory-3'), mallory.key);
    fs.writeFileSync(enc, uncommitted);
    const kept = await run<RestoreTeamVersionResult>('custodian.restoreTeamVersion', { uri: vscode.Uri.file(enc), confirm: false });
    assert.strictEqual(kept?.restored, undefined);
    assert.ok(fs.readFileSync(enc).equals(uncommitted), 'changes not committed are left as they were');
    // A notice that named another version is refused: what would come back is not what was shown.
    const stale = await captureErrors(team.services, () => run<RestoreTeamVersionResult>('custodian.restoreTeamVersion', { uri: vscode.Uri.file(enc), commit: '0'.repeat(40), confirm: true }));
    assert.strictEqual(stale.result, undefined);
    assert.match(stale.errors.map((e) => e.message).join('\n'), /The team's version of git-repo\/team-changes\.env\.enc is now the one alice signed in commit/);
    assert.ok(fs.readFileSync(enc).equals(uncommitted));
    // A diff that showed it (Show Changes) goes with the version it compared.
    await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(enc) });
    await waitUntil('the diff', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)));
    const restored = await run<RestoreTeamVersionResult>('custodian.restoreTeamVersion', { uri: vscode.Uri.file(enc), confirm: true });
    assert.strictEqual(restored?.restored?.commit, teamCommit);
    assert.ok(!vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)), 'the diff of the versions before is closed');
    assert.ok(fs.readFileSync(enc).equals(teamBlob('team-changes.env.enc')), 'the .enc file is alice\'s version, byte for byte');
    // The value file, committed as mallory left it: from Show Changes' notice, as a person clicks it.
    const clicked = recordInformationMessages((message, items) => (message.startsWith('The diff shows what changed in git-repo/team-changes.env since the team\'s version, which alice signed') ? items[0] : undefined));
    try {
      await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(values) });
      await waitUntil('the value file restored', () => fs.readFileSync(values).equals(teamBlob('team-changes.env')));
      assert.deepStrictEqual(clicked.asked.find((a) => a.message.startsWith('The diff shows'))?.items, ["Restore the Team's Version"]);
    } finally {
      clicked.dispose();
    }
    // The team's version now: nothing to restore.
    const again = await run<RestoreTeamVersionResult>('custodian.restoreTeamVersion', { uri: vscode.Uri.file(values) });
    assert.strictEqual(again?.restored, undefined);
    await closeAllEditors();
    ok(git(['rm', '-q', '-f', 'team-changes.env.enc', 'team-changes.env']));
    ok(git(['commit', '-q', '-m', 'no team-changes files']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('a rollback (an older version committed back, bringing back what was rotated since) is announced when it arrives, and Show Changes compares it with the version it undid', async () => {
    const { mallory, alice } = team;
    const file = path.join(repo, 'team-rollback.env.enc');
    const text = (b: string): string => `TOKEN=${MARKER}-${b}\n`;
    const planted = path.join(repo, 'team-planted.env.enc');
    const window = vscode.window as unknown as Record<string, unknown>;
    const warn = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    const warned: string[] = [];
    const buttons = new Map<string, unknown[]>();
    window.showWarningMessage = (message: string, ...rest: unknown[]) => (warned.push(message), buttons.set(message, rest), warn.call(vscode.window, message, ...rest));
    try {
      // mallory could read the first version; alice rotated the token and left her out.
      fs.writeFileSync(file, await encryptFor([me, alice.publicKey, mallory.publicKey], text('old'), alice.key));
      const old = commit('token');
      fs.writeFileSync(file, await encryptFor([me, alice.publicKey], text('rotated'), alice.key));
      const rotated = commit('rotate the token without mallory');
      await sleep(2500);
      // (A list of what to rotate said this file was done.)
      const toRotate = 'custodian.toRotate';
      await team.services.context.workspaceState.update(toRotate, [{ fingerprint: 'SHA256:someone', name: 'someone', removed: new Date().toISOString(), files: [{ uri: vscode.Uri.file(file).toString(), rotated: true }] }]);
      // mallory, who can push, puts the old version back: signed by alice, and readable by her again; and
      // in the same pull, a file of her own.
      ok(git(['checkout', old, '--', 'team-rollback.env.enc']));
      fs.writeFileSync(planted, await encryptFor([me, alice.publicKey], text('planted'), mallory.key));
      commit('restore');
      const notice = await waitUntil('the rollback notice', () => warned.some((m) => m.includes('team-rollback.env.enc is back to an older version'))).then(() => warned.find((m) => m.includes('is back to an older version'))!);
      assert.ok(notice.startsWith(`git-repo/team-rollback.env.enc is back to an older version (commit ${old.slice(0, 7)}), undoing commit ${rotated.slice(0, 7)}: secrets rotated since may be back. `), notice);
      // Said apart: what to do with the rollback (restore, not re-key it), then the other file.
      assert.match(notice, /secrets rotated since may be back\. Someone not on the team can read it again: .+\. Check what came back with "Show Changes", then restore the team's version\. The new file git-repo\/team-planted\.env\.enc, now on disk, is signed by /);
      assert.doesNotMatch(notice, /re-encrypt it for the team/i);
      assert.deepStrictEqual(buttons.get(notice), ['Show Changes…', 'Show Encrypted Files']);
      // What was rotated in it may be back: no longer marked rotated.
      const lists = team.services.context.workspaceState.get<{ files: { rotated?: boolean }[] }[]>(toRotate);
      assert.strictEqual(lists?.[0]?.files[0]?.rotated, false, 'the rotation list unmarks the file');
      await team.services.context.workspaceState.update(toRotate, undefined);

      // The Encrypted Files view says what it is, and offers what the notice does, not re-keying alone.
      const listed = await waitUntil('the rollback in Encrypted Files', async () =>
        Boolean((await section(team.services, 'encrypted'))?.children.find((c) => c.label?.endsWith('team-rollback.env.enc'))?.description?.startsWith('back to an older version')),
      ).then(async () => (await section(team.services, 'encrypted'))!.children.find((c) => c.label?.endsWith('team-rollback.env.enc'))!);
      assert.match(listed.description ?? '', new RegExp(`^back to an older version \\(${old.slice(0, 7)}\\) · .*not in team: `));
      assert.strictEqual(listed.contextValue, 'custodian.encFile.drift.unvouched', 'its menu: Show Changes and Restore the Team\'s Version');
      // Re-keying would sign it anew and make it the team's: the workspace run leaves it out, and says why.
      const before = fs.readFileSync(file);
      const plan = answerModals(() => undefined);
      try {
        const all = await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true });
        assert.match(all?.skipped.find((x) => x.uri.fsPath === file)?.reason ?? '', /^back to an older version \(commit \w+\), undoing commit \w+: check it with "Show Changes Since the Team's Version"/);
        const asked = plan.prompts.find((p) => /^Re-encrypt \d+ files? for the team\?$/.test(p.message));
        if (asked) assert.match(asked.detail, /Skipped:\n(.*\n)*• git-repo\/team-rollback\.env\.enc: back to an older version/);
        // On its own, it is asked about, Show Changes first.
        const one = await run<ReencryptResult>('custodian.reencryptFile', { uri: vscode.Uri.file(file) });
        assert.strictEqual(one?.reencrypted.length, 0);
        const question = plan.prompts.find((p) => p.message.startsWith('git-repo/team-rollback.env.enc is back to an older version'));
        assert.deepStrictEqual(question?.items, ['Show Changes', "Restore the Team's Version", 'Re-encrypt and Sign as Me']);
      } finally {
        plan.dispose();
      }
      assert.ok(fs.readFileSync(file).equals(before), 'the rollback was not re-keyed');

      const shown = await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(file) });
      assert.deepStrictEqual(shown?.rollback, { sameAs: old, undone: rotated });
      let input: unknown;
      await waitUntil('the diff', () => {
        input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputTextDiff && input.original.scheme === 'custodian-enc';
      });
      const diff = input as vscode.TabInputTextDiff;
      assert.strictEqual((await vscode.workspace.openTextDocument(diff.original)).getText(), text('rotated'));
      assert.strictEqual((await vscode.workspace.openTextDocument(diff.modified)).getText(), text('old'));
      // The team's version is the rotated one, not the old one alice signed too.
      assert.strictEqual(shown.teamVersion?.commit, rotated);
      await closeAllEditors();

      // mallory then writes a version of her own on top: the rollback she committed carries alice's valid
      // signature, but it is an older version back, so it is not taken for the team's.
      fs.writeFileSync(file, await encryptFor([me, alice.publicKey, mallory.publicKey], text('mallory'), mallory.key));
      commit('mallory\'s version');
      const onTop = await run<ShowTeamChangesResult>('custodian.showTeamChanges', { uri: vscode.Uri.file(file) });
      assert.strictEqual(onTop?.teamVersion?.commit, rotated, 'the diff starts at the rotated version, past the rollback alice\'s signature covers');
      await closeAllEditors();
      const rollbackNotices = (): number => warned.filter((m) => m.includes('is back to an older version')).length;
      const noticesBefore = rollbackNotices();
      const restored = await run<RestoreTeamVersionResult>('custodian.restoreTeamVersion', { uri: vscode.Uri.file(file) });
      assert.strictEqual(restored?.restored?.commit, rotated);
      assert.ok(fs.readFileSync(file).equals(execFileSync('git', ['cat-file', 'blob', `${rotated}:team-rollback.env.enc`], { cwd: repo })));
      // Restoring the team's version, then committing it, undoes mallory's versions: no rollback of the team's.
      commit('back to the rotated token');
      await sleep(2500);
      assert.strictEqual(rollbackNotices(), noticesBefore, 'the restore is not announced as a rollback');
      assert.deepStrictEqual([...(await team.encryption.deps.drift.rollbacks([vscode.Uri.file(file)])).keys()], [], 'nor listed as one');
    } finally {
      window.showWarningMessage = warn;
    }
    ok(git(['rm', '-q', '-f', 'team-rollback.env.enc', 'team-planted.env.enc']));
    ok(git(['commit', '-q', '-m', 'no rollback file']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('an older version put back re-wrapped (a .enc in ASCII armor, a value-encrypted .env with a full-line comment added: other bytes, the same signed content) is still announced and listed as a rollback: versions compare by what their signature covers', async () => {
    const { mallory, alice } = team;
    const enc = path.join(repo, 'rewrapped.env.enc');
    const env = path.join(repo, 'rewrapped.env');
    const text = (b: string): string => `TOKEN=${MARKER}-${b}\n`;
    const seal = (b: string, recipients: RsaPublicKey[]) => sealValues(text(b), { format: 'dotenv', recipients, signer: alice.key, backend });
    const { told: warned, dispose } = recordWarningMessages();
    try {
      // mallory could read the first versions; alice rotated the tokens and left her out.
      fs.writeFileSync(enc, await encryptFor([me, alice.publicKey, mallory.publicKey], text('old'), alice.key));
      fs.writeFileSync(env, await seal('old', [me, alice.publicKey, mallory.publicKey]));
      const old = commit('tokens');
      fs.writeFileSync(enc, await encryptFor([me, alice.publicKey], text('rotated'), alice.key));
      fs.writeFileSync(env, await seal('rotated', [me, alice.publicKey]));
      const rotated = commit('rotate the tokens without mallory');
      await sleep(2500);
      // mallory puts the old versions back, alice's signatures intact, in new bytes: armored, and a comment
      // (no MAC covers one) above the values.
      const blob = (name: string) => execFileSync('git', ['cat-file', 'blob', `${old}:${name}`], { cwd: repo });
      fs.writeFileSync(enc, armor(new Uint8Array(blob('rewrapped.env.enc'))));
      fs.writeFileSync(env, `# tidy\n${blob('rewrapped.env').toString('utf8')}`);
      commit('tidy');
      const found = await team.encryption.deps.drift.rollbacks([vscode.Uri.file(enc), vscode.Uri.file(env)]);
      assert.deepStrictEqual(found.get(enc), { sameAs: old, undone: rotated }, 'the armored .enc');
      assert.deepStrictEqual(found.get(env), { sameAs: old, undone: rotated }, 'the .env with a comment');
      // Announced as they arrive (one sentence per file, or the two named in one).
      const announced = (name: string): boolean =>
        warned.some((m) => m.includes(`git-repo/${name} is back to an older version (commit ${old.slice(0, 7)}), undoing commit ${rotated.slice(0, 7)}`) || (/^\d+ files are back to older versions: /.test(m) && m.split(': ')[1].split(/, |\. /).includes(`git-repo/${name}`)));
      for (const name of ['rewrapped.env.enc', 'rewrapped.env']) await waitUntil(`the rollback notice for ${name}`, () => announced(name));
    } finally {
      dispose();
    }
    ok(git(['rm', '-q', '-f', 'rewrapped.env.enc', 'rewrapped.env']));
    ok(git(['commit', '-q', '-m', 'no rewrapped files']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('an older version put back through a merge commit (an old branch merging main, keeping its copy) is announced and listed as a rollback: the rotation on the merge\'s other parent counts', async () => {
    const { mallory, alice } = team;
    const file = path.join(repo, 'merged-back.env.enc');
    const text = (b: string): string => `TOKEN=${MARKER}-${b}\n`;
    const { told: warned, dispose } = recordWarningMessages();
    try {
      fs.writeFileSync(file, await encryptFor([me, alice.publicKey, mallory.publicKey], text('old'), alice.key));
      const old = commit('token');
      fs.writeFileSync(file, await encryptFor([me, alice.publicKey], text('rotated'), alice.key));
      const rotated = commit('rotate the token without mallory');
      await sleep(2500);
      // mallory's branch stayed at the old version; she merges main into it keeping her copy of the file
      // (built here without touching the working tree), and the merge arrives as a pull would bring it.
      // git's default log follows the merge's parent with the same file, and never lists the rotation.
      const index = path.join(repo, '.git', 'mallory-index');
      ok(git(['read-tree', 'HEAD'], { GIT_INDEX_FILE: index }));
      ok(git(['update-index', '--cacheinfo', `100644,${git(['rev-parse', `${old}:merged-back.env.enc`]).stdout.trim()},merged-back.env.enc`], { GIT_INDEX_FILE: index }));
      const tree = git(['write-tree'], { GIT_INDEX_FILE: index }).stdout.trim();
      fs.rmSync(index);
      const merge = git(['commit-tree', tree, '-p', old, '-p', rotated, '-m', 'Merge branch main']).stdout.trim();
      ok(git(['merge', '-q', '--ff-only', merge]));
      const found = await team.encryption.deps.drift.rollbacks([vscode.Uri.file(file)]);
      assert.deepStrictEqual(found.get(file), { sameAs: old, undone: rotated });
      await waitUntil('the rollback notice', () => warned.some((m) => m.includes(`git-repo/merged-back.env.enc is back to an older version (commit ${old.slice(0, 7)}), undoing commit ${rotated.slice(0, 7)}`)));
    } finally {
      dispose();
    }
    ok(git(['rm', '-q', '-f', 'merged-back.env.enc']));
    ok(git(['commit', '-q', '-m', 'no merged-back file']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('a value an outsider\'s version puts back (built on an older version, the old token kept) is named in the notice, without a key', async () => {
    const { mallory, alice } = team;
    const file = path.join(repo, 'team-reverted.env');
    const window = vscode.window as unknown as Record<string, unknown>;
    const warn = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    const warned: string[] = [];
    window.showWarningMessage = (message: string, ...rest: unknown[]) => (warned.push(message), warn.call(vscode.window, message, ...rest));
    try {
      const recipients = [me, alice.publicKey, mallory.publicKey];
      const first = await sealValues(`DB=${MARKER}-old\nT=${MARKER}-t\nN=${MARKER}-n\n`, { format: 'dotenv', recipients, signer: alice.key, backend });
      fs.writeFileSync(file, first);
      const old = commit('values');
      // alice rotates DB (the same data key: only its token changes)…
      const byAlice = await openValues(first, { format: 'dotenv', identities: [alice.key], backend });
      fs.writeFileSync(file, await byAlice.reseal(`DB=${MARKER}-rotated\nT=${MARKER}-t\nN=${MARKER}-n\n`, { backend, signer: alice.key }));
      byAlice.dispose();
      const rotated = commit('rotate DB');
      // …then re-keys the file (a new data key: every token changes, N's value does not).
      fs.writeFileSync(file, await sealValues(`DB=${MARKER}-rotated\nT=${MARKER}-t\nN=${MARKER}-n\n`, { format: 'dotenv', recipients, signer: alice.key, backend }));
      commit('re-key');
      await sleep(2500);
      // mallory edits T in the version she kept: DB and N keep the tokens they had then.
      warned.length = 0;
      const byMallory = await openValues(first, { format: 'dotenv', identities: [mallory.key], backend });
      fs.writeFileSync(file, await byMallory.reseal(`DB=${MARKER}-old\nT=${MARKER}-planted\nN=${MARKER}-n\n`, { backend, signer: mallory.key }));
      byMallory.dispose();
      commit('mallory');
      const notice = await waitUntil('the notice', () => warned.some((m) => m.includes('team-reverted.env'))).then(() => warned.find((m) => m.includes('team-reverted.env'))!);
      assert.match(notice, new RegExp(`In git-repo/team-reverted\\.env, values the team had changed are back to older ones: DB \\(as in commit ${old.slice(0, 7)}\\)\\. Secrets rotated out may be back\\.`));
      assert.doesNotMatch(notice, /: T \(/, 'T was changed, not put back');
      assert.doesNotMatch(notice, /N \(as in/, 'N was only re-keyed: its token changed, its value did not');
      const reverted = await (await import('../../src/extension/commands/decrypt/team-version')).TeamVersions.load(team.encryption.deps).then((t) => t.revertedValues(vscode.Uri.file(file)));
      assert.deepStrictEqual(reverted, [{ name: 'DB', sameAs: old, undone: rotated }]);
    } finally {
      window.showWarningMessage = warn;
    }
    ok(git(['rm', '-q', '-f', 'team-reverted.env']));
    ok(git(['commit', '-q', '-m', 'no reverted file']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('a rollback to a version for the team, signed by a teammate, is not signed anew by a save in its editor unasked', async () => {
    const { alice } = team;
    const file = path.join(repo, 'team-rollback-save.env.enc');
    const text = (b: string): string => `TOKEN=${MARKER}-${b}\n`;
    // The token leaked and was rotated, the team unchanged; someone who can push puts the old one back.
    fs.writeFileSync(file, await encryptFor([me, alice.publicKey], text('leaked'), alice.key));
    commit('token');
    const old = git(['rev-parse', 'HEAD']).stdout.trim();
    fs.writeFileSync(file, await encryptFor([me, alice.publicKey], text('rotated'), alice.key));
    commit('rotate the leaked token');
    // Open (and saved once) before: what a save settled is for the version then on disk.
    await run('custodian.openDecrypted', { uri: vscode.Uri.file(file) });
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'MINE=1\n'));
    assert.ok(await editor.document.save());
    ok(git(['checkout', '--', 'team-rollback-save.env.enc']));
    // Put back in the working tree (not committed yet), as `git checkout OLD -- FILE` does.
    ok(git(['checkout', old, '--', 'team-rollback-save.env.enc']));
    const before = fs.readFileSync(file);
    const modals = answerModals(() => undefined);
    try {
      await waitUntil('the editor reloaded', () => editor.document.getText() === text('leaked'));
      // Its editor says so too: "signed by alice ✓" alone would read as the team's latest.
      await waitUntil('the status bar', () => /· back to an older version \(\w+\)$/.test(team.encryption.statusBar.text ?? ''));
      assert.strictEqual(team.encryption.statusBar.isWarning, true);
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'EDITED=1\n'));
      assert.strictEqual(await editor.document.save(), false, 'not saved without an answer');
      const asked = modals.prompts.find((p) => /is back to an older version/.test(p.message));
      assert.match(asked?.message ?? JSON.stringify(modals.prompts), /^team-rollback-save\.env\.enc is back to an older version \(commit \w+\), undoing commit \w+: secrets rotated since may be back\. Saving signs it anew as yours\.$/);
      assert.deepStrictEqual(asked?.items, ['Show Changes', 'Save and Sign as Me']);
      assert.ok(fs.readFileSync(file).equals(before), 'the file is as it was');
    } finally {
      modals.dispose();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    ok(git(['rm', '-q', '-f', 'team-rollback-save.env.enc']));
    ok(git(['commit', '-q', '-m', 'no rollback-save file']));
    assert.deepStrictEqual(plaintextIn(repo), []);
  });

  it('Set Up Git: suggested once for a repository with .enc files that is not set up; --undo from the CLI leaves the drivers gone', async () => {
    const undo = spawnSync('node', [cli, 'git', 'setup', '--undo'], { cwd: repo, encoding: 'utf8' });
    assert.strictEqual(undo.status, 0, undo.stderr);
    const api = await getApi();
    // The suggestion's answer, as a person would click it.
    const { told: shown, dispose: stopRecording } = recordInformationMessages((_, items) => (items.includes('Set Up Git') ? 'Set Up Git' : undefined));
    const context = recordContextKeys('custodian.gitSetUp');
    try {
      // The walkthrough's git step follows a clone's state at start-up: not set up, nothing ticks.
      assert.strictEqual(await api.git.setup.publishSetUp([repo]), false);
      assert.deepStrictEqual(context.valuesOf('custodian.gitSetUp'), []);
      await api.git.setup.suggest();
      assert.ok(shown.some((m) => m.includes('has encrypted files')), `suggested: ${shown.join(' | ')}`);
      await waitUntil('the drivers in .git/config', () => git(['config', '--get', 'merge.custodian.driver']).status === 0);
      // Set up before a window opened (the CLI, another window): the step ticks at start-up.
      context.published.length = 0;
      assert.strictEqual(await api.git.setup.publishSetUp([repo]), true);
      assert.deepStrictEqual(context.valuesOf('custodian.gitSetUp'), [true]);
      // No `custodian` on this PATH: the drivers run the launcher the extension keeps in its global
      // storage (the same path after an update of the extension), and it works from git.
      const textconv = git(['config', '--get', 'diff.custodian.textconv']).stdout.trim();
      assert.match(textconv, /\/custodian-dev\.custodian\/bin\/custodian'? git textconv --$/);
      assert.strictEqual(git(['status', '--porcelain', '--', '.gitattributes']).stdout, '', 'the committed .gitattributes the undo deleted is back');
      const decrypted = git(['cat-file', '--textconv', 'HEAD:.env.enc'], { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') });
      ok(decrypted);
      assert.ok(decrypted.stdout.includes(`KEY_0=${MARKER}-base-0`), decrypted.stderr);
      shown.length = 0;
      ok(git(['config', '--local', '--remove-section', 'merge.custodian']));
      await api.git.setup.suggest();
      assert.ok(!shown.some((m) => m.includes('has encrypted files')), 'asked once per repository');
      // Asked again once forgotten (as in another profile): its committed .gitattributes already asks for
      // the drivers, and the question says only this clone lacks them.
      await team.services.context.workspaceState.update('custodian.git.suggested', undefined);
      await api.git.setup.suggest();
      assert.ok(
        shown.some((m) => m.startsWith('The repository git-repo asks git to diff and merge its encrypted files with Custodian (.gitattributes), but this clone is not set up yet')),
        `suggested: ${shown.join(' | ')}`,
      );
      await waitUntil('the drivers in .git/config again', () => git(['config', '--get', 'merge.custodian.driver']).status === 0);
    } finally {
      context.dispose();
      stopRecording();
    }
  });

  it('Set Up Git says to commit .gitattributes only when it is new or changed relative to HEAD', async () => {
    const other = teamRepo('git-setup-repo', me, team.alice.publicKey);
    const gitOther = gitIn(() => other);
    const api = await getApi();
    const { told: shown, dispose: stopRecording } = recordInformationMessages(() => undefined);
    const context = recordContextKeys('custodian.gitSetUp');
    const setUp = async () => {
      shown.length = 0;
      const [result] = await api.git.setup.run(other);
      assert.deepStrictEqual(context.valuesOf('custodian.gitSetUp').slice(-1), [true], 'the walkthrough\'s git step ticks');
      await waitUntil('the message', () => shown.length > 0);
      return { result, message: shown.join(' | ') };
    };
    try {
      // Set up from the CLI and committed, as the teammate who set it up leaves it; here the drivers and
      // the guard run the extension's launcher instead, so setup changes them, and .gitattributes not.
      ok(gitOther(['add', '-A']));
      ok(gitOther(['commit', '-q', '-m', 'roster and attributes']));
      const committed = await setUp();
      assert.ok(committed.result.done.length > 0, 'the drivers changed');
      assert.doesNotMatch(committed.message, /Commit \.gitattributes/);
      assert.match(committed.message, /already committed/);
      assert.strictEqual(committed.result.commitAttributes, false);
      assert.doesNotMatch((await setUp()).message, /Commit \.gitattributes/, 'nothing changed, nothing to commit');

      // No .gitattributes in HEAD: setup writes a new one, which is to be committed.
      ok(gitOther(['rm', '-q', '.gitattributes']));
      ok(gitOther(['commit', '-q', '-m', 'no attributes']));
      const created = await setUp();
      assert.ok(created.result.done.some((line) => line.startsWith('.gitattributes')));
      assert.match(created.message, /Commit \.gitattributes/);
      assert.strictEqual(created.result.commitAttributes, true);
      assert.match((await setUp()).message, /already set up.*Commit \.gitattributes/, 'still not committed');
    } finally {
      context.dispose();
      stopRecording();
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('Set Up Git is suggested for a repository whose only encrypted files are value-encrypted (a trial never saw it offered)', async () => {
    const other = teamRepo('values-only-repo', me, team.alice.publicKey);
    const gitOther = gitIn(() => other);
    const api = await getApi();
    const { told: shown, dispose: stopRecording } = recordInformationMessages(() => undefined);
    try {
      const undo = spawnSync('node', [cli, 'git', 'setup', '--undo'], { cwd: other, encoding: 'utf8' });
      assert.strictEqual(undo.status, 0, undo.stderr);
      fs.writeFileSync(path.join(other, 'plain.env'), 'API_TOKEN=values-only-1\n');
      const sealed = spawnSync('node', [cli, 'encrypt', '--values', '-R', '.custodian/team', '-o', '.env', 'plain.env'], { cwd: other, encoding: 'utf8' });
      assert.strictEqual(sealed.status, 0, sealed.stderr);
      fs.rmSync(path.join(other, 'plain.env'));
      ok(gitOther(['add', '-A']));
      ok(gitOther(['commit', '-q', '-m', 'values only']));
      await waitUntil('the value-encrypted file known', async () => (await api.encryption.valueFiles.scan()).some((u) => u.fsPath === path.join(other, '.env')));
      await api.git.setup.suggest();
      assert.ok(
        shown.some((m) => m.startsWith('The repository values-only-repo has value-encrypted files, but git cannot merge them: a merge of two versions breaks their MAC.')),
        `suggested: ${shown.join(' | ')}`,
      );
      // A value-encrypted file git ignores (a .env often is, until committed) gets its merge line from
      // Set Up Git too: a trial un-ignored it afterwards, and git went on merging it line by line.
      fs.writeFileSync(path.join(other, '.gitignore'), 'local.env\n');
      fs.writeFileSync(path.join(other, 'plain-local.env'), 'LOCAL_TOKEN=values-only-2\n');
      const local = spawnSync('node', [cli, 'encrypt', '--values', '-R', '.custodian/team', '-o', 'local.env', 'plain-local.env'], { cwd: other, encoding: 'utf8' });
      assert.strictEqual(local.status, 0, local.stderr);
      fs.rmSync(path.join(other, 'plain-local.env'));
      await waitUntil('the ignored value-encrypted file known', async () => (await api.encryption.valueFiles.scan()).some((u) => u.fsPath === path.join(other, 'local.env')));
      await api.git.setup.run(other);
      assert.match(gitOther(['check-attr', 'merge', 'local.env']).stdout, /merge: custodian/);
      assert.match(gitOther(['check-attr', 'merge', '.env']).stdout, /merge: custodian/);
    } finally {
      stopRecording();
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('an edit undone and saved again (as auto-save does) writes the committed bytes back: git status is clean, .enc and value file alike; after a re-key it does not', async () => {
    ok(git(['checkout', '-q', '--', '.']));
    const values = path.join(repo, 'undo.env');
    fs.writeFileSync(values, await sealValues(`UNDO_SECRET=${MARKER}-undo\n`, { format: 'dotenv', recipients: [me, team.alice.publicKey], signer: team.alice.key, backend }));
    const rekey = path.join(repo, 'rekey.env.enc');
    fs.writeFileSync(rekey, await encryptFor([me, team.alice.publicKey], `REKEY=${MARKER}-rekey\n`, team.alice.key));
    const rekeyValues = path.join(repo, 'rekey.env');
    fs.writeFileSync(rekeyValues, await sealValues(`REKEY=${MARKER}-rekey\n`, { format: 'dotenv', recipients: [me, team.alice.publicKey], signer: team.alice.key, backend }));
    ok(git(['add', 'undo.env', 'rekey.env.enc', 'rekey.env']));
    ok(git(['commit', '-q', '-m', 'undo fixture']));
    await vscode.commands.executeCommand('custodian.openDecrypted', { uri: vscode.Uri.file(encFile()) });
    const views = [vscode.window.activeTextEditor!.document];
    await vscode.commands.executeCommand('custodian.openValuesDecrypted', { uri: vscode.Uri.file(values) });
    views.push(vscode.window.activeTextEditor!.document);
    for (const doc of views) {
      const editor = await vscode.window.showTextDocument(doc);
      assert.match(editor.document.uri.scheme, /^custodian-(enc|values)$/);
      const file = editor.document.uri.scheme === 'custodian-enc' ? '.env.enc' : 'undo.env';
      const committed = fs.readFileSync(path.join(repo, file));
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'EDITED=1\n'));
      assert.ok(await editor.document.save());
      assert.match(git(['status', '--porcelain', '--', file]).stdout, /^ M /, `${file}: the edit is a change`);
      await editor.edit((e) => e.delete(new vscode.Range(0, 0, 1, 0)));
      assert.ok(await editor.document.save());
      assert.strictEqual(git(['status', '--porcelain', '--', file]).stdout, '', `${file}: the edit undone is no change`);
      assert.ok(fs.readFileSync(path.join(repo, file)).equals(committed), `${file}: the committed bytes`);
    }
    // The status bar names whoever committed that version (alice), not me: the bytes are hers.
    assert.match(team.encryption.statusBar.text ?? '', /signed by alice/);

    // Re-keyed since the commit (bob added): the same text is written for the new recipients, not the old bytes.
    // Re-keyed since the commit to add bob (as `custodian rekey` does, same header otherwise): an edit
    // undone then equals HEAD's text, but not its recipients.
    await closeAllEditors();
    const headText = `REKEY=${MARKER}-rekey\n`;
    fs.writeFileSync(rekey, await encryptFor([me, team.alice.publicKey, team.bob.publicKey], headText, team.alice.key));
    fs.writeFileSync(rekeyValues, await sealValues(headText, { format: 'dotenv', recipients: [me, team.alice.publicKey, team.bob.publicKey], signer: team.alice.key, backend }));
    for (const [command, file] of [['custodian.openDecrypted', rekey], ['custodian.openValuesDecrypted', rekeyValues]] as const) {
      await vscode.commands.executeCommand(command, { uri: vscode.Uri.file(file) });
      const again = vscode.window.activeTextEditor!;
      assert.strictEqual(again.document.getText(), headText);
      await again.edit((e) => e.insert(new vscode.Position(0, 0), 'EDITED=1\n'));
      assert.ok(await again.document.save());
      await again.edit((e) => e.delete(new vscode.Range(0, 0, 1, 0)));
      assert.ok(await again.document.save());
    }
    const header = await decryptBytes(fs.readFileSync(rekey), { identities: [team.bob.key], backend });
    assert.strictEqual(new TextDecoder().decode(header.plaintext), headText, 'bob, added by the re-key, still reads it');
    const bobsValues = await openValues(fs.readFileSync(rekeyValues, 'utf8'), { format: 'dotenv', identities: [team.bob.key], backend });
    assert.strictEqual(bobsValues.document, headText, 'and the value file');
    bobsValues.dispose();
    await closeAllEditors();
    ok(git(['checkout', '-q', '--', '.']));
  });
});

interface GitApi {
  openRepository(root: vscode.Uri): Promise<unknown>;
  toGitUri(uri: vscode.Uri, ref: string): vscode.Uri;
}

/** The active diff once Custodian has replaced the ciphertext one: both sides custodian-enc. */
async function decryptedDiff(): Promise<vscode.TabInputTextDiff> {
  let input: unknown;
  await waitUntil('the decrypted diff', () => {
    input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return input instanceof vscode.TabInputTextDiff && input.original.scheme === 'custodian-enc' && input.modified.scheme === 'custodian-enc';
  }).catch((err: Error) => {
    throw new Error(`${err.message}; tabs: ${describeTabs()}`);
  });
  const ciphertextTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme !== 'custodian-enc');
  assert.deepStrictEqual(ciphertextTabs.map((t) => t.label), [], 'the ciphertext diff was replaced');
  return input as vscode.TabInputTextDiff;
}

function describeTabs(): string {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => (t.input instanceof vscode.TabInputTextDiff ? `diff ${t.input.original.toString()} | ${t.input.modified.toString()}` : `${t.label} ${(t.input as { uri?: vscode.Uri })?.uri?.toString()}`))
    .join('; ');
}
