// The Custodian tree, read through the exported API: sections, items, context values, icons,
// tooltips, the welcome state, and refreshes on roster file and SecretStorage changes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import { run, section, sshKeygen, teamDir, treeSnapshot, useCleanState, waitFor } from './support/custodian';

describe('tree', function () {
  this.timeout(120_000);
  const state = useCleanState();

  it('is empty without keys, so the view shows its welcome buttons', async () => {
    assert.deepStrictEqual(await treeSnapshot(state.services), []);
    const welcome = (state.services.context.extension.packageJSON.contributes.viewsWelcome as { view: string; contents: string; when: string }[]).filter(
      (w) => w.view === 'custodian.keys',
    );
    // One welcome per host kind (desktop: the OS keychain; a browser: its profile's storage), both with the two buttons.
    for (const host of ['!isWeb', 'isWeb']) {
      assert.ok(
        welcome.some((w) => w.when === `!custodian.hasKeys && ${host}` && w.contents.includes('command:custodian.generateKey') && w.contents.includes('command:custodian.importPrivateKey')),
        host,
      );
    }
    assert.ok(welcome.some((w) => w.when === '!custodian.hasKeys && isWeb' && /browser profile/.test(w.contents) && !/keys in the OS keychain/.test(w.contents)), 'no OS keychain promise in a browser');
    // "No roster yet" only once the roster was counted: `!custodian.rosterCount` also held while it loaded.
    assert.ok(welcome.some((w) => w.when.includes('custodian.rosterCount == 0') && w.contents.includes('.custodian/team/')));
    assert.ok(!welcome.some((w) => /!custodian\.rosterCount/.test(w.when)), 'no welcome for an unknown (loading) roster count');
  });

  it('offers Add Myself to Team only while none of my keys is on the team', async () => {
    const menus = (state.services.context.extension.packageJSON.contributes.menus as Record<string, { command: string; when?: string }[]>);
    const offers = [...menus['view/title'], ...menus['view/item/context'], ...menus.commandPalette].filter((m) => m.command === 'custodian.addMyselfToTeam' && !/viewItem =~/.test(m.when ?? ''));
    assert.ok(offers.length >= 3 && offers.every((m) => (m.when ?? '').includes('!custodian.onTeam')), JSON.stringify(offers));
    const set: unknown[] = [];
    const commands = vscode.commands as unknown as Record<string, unknown>;
    const original = commands.executeCommand as (...a: unknown[]) => Thenable<unknown>;
    commands.executeCommand = (id: unknown, ...rest: unknown[]) => {
      if (id === 'setContext' && rest[0] === 'custodian.onTeam') set.push(rest[1]);
      return original.call(vscode.commands, id, ...rest);
    };
    try {
      const key = (await run<KeyInfo>('custodian.generateKey', { name: 'Joiner', bits: 2048 }))!;
      await treeSnapshot(state.services);
      assert.strictEqual(set.at(-1), false, 'not on the team yet: offered');
      await run('custodian.addMyselfToTeam', { id: key.id });
      await waitFor('the team to list me', async () => (await treeSnapshot(state.services)) && set.at(-1) === true);
    } finally {
      commands.executeCommand = original;
      await run('custodian.deleteKey', { confirm: true, id: (state.services.keyStore.list().find((k) => k.name === 'Joiner'))?.id });
      fs.rmSync(teamDir(), { recursive: true, force: true });
    }
  });

  it('shows My Keys, Team and Contacts with names, bits, short fingerprints, icons and context values', async () => {
    const alice = (await run<KeyInfo>('custodian.generateKey', { name: 'Alice', label: 'alice@example.com', bits: 2048 }))!;
    const spare = (await run<KeyInfo>('custodian.generateKey', { name: 'Spare', bits: 2048 }))!;
    await run('custodian.addMyselfToTeam', { id: alice.id });
    const bob = sshKeygen(state.scratch, 'bob', 'bob@example.com');
    await run('custodian.addTeammate', { text: bob.publicLine, confirm: true });
    await run('custodian.addContact', { text: sshKeygen(state.scratch, 'zoe', 'zoe@elsewhere.example').publicLine, name: 'Zoe', confirm: true });

    const roots = await treeSnapshot(state.services);
    // Later features add sections after these three.
    assert.deepStrictEqual(roots.slice(0, 3).map((r) => r.contextValue), ['custodian.section.keys', 'custodian.section.team', 'custodian.section.contacts']);
    assert.deepStrictEqual(roots.slice(0, 3).map((r) => r.label), ['My Keys', 'Team', 'Contacts']);
    assert.ok(roots.every((r) => r.contextValue?.startsWith('custodian.section.')), 'every top-level item is a section');

    const keys = roots[0].children;
    const a = keys.find((k) => k.label === 'Alice')!;
    const s = keys.find((k) => k.label === 'Spare')!;
    assert.strictEqual(a.contextValue, 'custodian.myKey.default');
    assert.strictEqual(a.icon, 'star-full');
    assert.match(a.description ?? '', /^2048-bit · [A-Za-z0-9+/]{8} · default$/);
    assert.ok(a.tooltip?.includes(alice.fingerprint), 'tooltip has the full fingerprint');
    assert.strictEqual(s.contextValue, 'custodian.myKey');
    assert.strictEqual(s.icon, 'key');
    assert.ok(!(s.description ?? '').includes('default'));

    const team = roots[1].children;
    assert.deepStrictEqual(team.map((t) => [t.label, t.contextValue, t.icon]), [
      ['alice', 'custodian.teammate.me', 'account'],
      ['bob', 'custodian.teammate', 'person'],
    ]);
    // Added by alice through Add Teammate: signed by her, so verified (docs/ROSTER.md).
    assert.match(team[1].description ?? '', /^bob@example\.com · 2048-bit · [A-Za-z0-9+/]{8} · verified by alice$/);

    const contacts = roots[2].children;
    assert.deepStrictEqual(contacts.map((c) => [c.label, c.contextValue, c.icon]), [['Zoe', 'custodian.contact', 'account']]);

    // Set as Default moves the star.
    await run('custodian.setDefaultKey', { id: spare.id });
    const after = (await section(state.services, 'keys'))!.children;
    assert.strictEqual(after.find((k) => k.label === 'Spare')?.contextValue, 'custodian.myKey.default');
    assert.strictEqual(after.find((k) => k.label === 'Alice')?.contextValue, 'custodian.myKey');
  });

  it('commands accept the tree node they were invoked on (context menus)', async () => {
    const keyNode = (await section(state.services, 'keys'))!.children.find((k) => k.label === 'Alice')!.node;
    assert.strictEqual(await run('custodian.copyFingerprint', keyNode), state.services.keyStore.list().find((k) => k.name === 'Alice')!.fingerprint);
    const bobNode = (await section(state.services, 'team'))!.children.find((t) => t.label === 'bob')!.node;
    const fp = await run<string>('custodian.copyFingerprint', bobNode);
    assert.match(fp ?? '', /^SHA256:/);
    assert.deepStrictEqual(await run('custodian.verifyFingerprint', { ...bobNode, fingerprint: fp }), { match: true, expected: fp });
  });

  it('picks up roster files written to disk (FileSystemWatcher) and shows invalid ones as errors', async () => {
    const carol = sshKeygen(state.scratch, 'carol', 'carol@example.com');
    fs.writeFileSync(path.join(teamDir(), 'carol.pub'), carol.publicLine + '\n');
    await waitFor('carol in the Team section', async () => (await section(state.services, 'team'))?.children.find((t) => t.label === 'carol'));

    fs.writeFileSync(path.join(teamDir(), 'mallory.pub'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    const bad = await waitFor('mallory as an invalid item', async () => (await section(state.services, 'team'))?.children.find((t) => t.label === 'mallory'));
    assert.strictEqual(bad.contextValue, 'custodian.teammate.invalid');
    assert.strictEqual(bad.icon, 'error');
    assert.match(bad.tooltip ?? '', /not a usable teammate key/);

    await vscode.workspace.fs.delete(vscode.Uri.file(path.join(teamDir(), 'carol.pub')));
    fs.rmSync(path.join(teamDir(), 'mallory.pub'));
    await waitFor('carol and mallory gone', async () => {
      const labels = (await section(state.services, 'team'))?.children.map((t) => t.label) ?? [];
      return !labels.includes('carol') && !labels.includes('mallory');
    });
  });

  it('refreshes when SecretStorage changes elsewhere and flags a key whose private half is missing', async () => {
    const spare = state.services.keyStore.list().find((k) => k.name === 'Spare')!;
    let fired = 0;
    const sub = state.services.tree.onDidChangeTreeData(() => fired++);
    try {
      // As another window would: delete the secret directly.
      await state.services.context.secrets.delete(`custodian.key.${spare.id}`);
      await waitFor('a tree refresh', async () => fired > 0);
    } finally {
      sub.dispose();
    }
    const item = (await section(state.services, 'keys'))!.children.find((k) => k.label === 'Spare')!;
    assert.strictEqual(item.contextValue, 'custodian.myKey.missing');
    assert.strictEqual(item.icon, 'error');
    assert.deepStrictEqual(await run('custodian.deleteKey', { id: spare.id, confirm: true }), { deleted: spare.id });
    const keys = (await section(state.services, 'keys'))!.children;
    assert.deepStrictEqual(keys.map((k) => [k.label, k.contextValue]), [['Alice', 'custodian.myKey.default']], 'the remaining key becomes the default');
  });

  it('shows a roster explanation in the Team section when the workspace has no roster', async () => {
    fs.rmSync(path.join(teamDir()), { recursive: true, force: true });
    const team = await waitFor('the empty Team section', async () => {
      const t = await section(state.services, 'team');
      return t?.children.length === 1 && t.children[0].contextValue === 'custodian.message' ? t : undefined;
    });
    assert.match(team.children[0].tooltip ?? '', /\.custodian\/team\/<name>\.pub/);
  });
});
