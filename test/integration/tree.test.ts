// The Custodian sidebar, read through the exported API: one view per section, their items, context
// values, icons, tooltips, welcome content and title-bar actions, and refreshes on roster file and
// SecretStorage changes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import type { DriftEntry, DriftScanner } from '../../src/extension/commands/rekey/drift';
import { getApi, recordContextKeys, resetState, run, section, sshKeygen, teamDir, treeSnapshot, useCleanState, waitFor, workspaceFolder } from './support/custodian';

describe('tree', function () {
  this.timeout(120_000);
  const state = useCleanState();

  type Welcome = { view: string; contents: string; when?: string };
  type MenuItem = { command: string; when?: string; group?: string };
  const VIEWS = ['custodian.keys', 'custodian.team', 'custodian.encrypted', 'custodian.contacts', 'custodian.shamir', 'custodian.mfa'];
  const welcomes = (view: string): Welcome[] => (state.services.context.extension.packageJSON.contributes.viewsWelcome as Welcome[]).filter((w) => w.view === view);
  const menus = (): Record<string, MenuItem[]> => state.services.context.extension.packageJSON.contributes.menus as Record<string, MenuItem[]>;

  it('is one view per section in the Custodian container, each served by its own provider', async () => {
    const contributed = (state.services.context.extension.packageJSON.contributes.views as Record<string, { id: string; visibility?: string }[]>).custodian;
    assert.deepStrictEqual(contributed.map((v) => v.id), VIEWS);
    // The less used ones start collapsed; each can be collapsed and moved on its own.
    assert.deepStrictEqual(contributed.filter((v) => v.visibility === 'collapsed').map((v) => v.id), ['custodian.contacts', 'custodian.shamir', 'custodian.mfa']);
    const providers = VIEWS.map((id) => state.services.views.get(id.replace('custodian.', '')));
    assert.ok(providers.every(Boolean), 'every view has its provider');
    assert.strictEqual(new Set(providers).size, VIEWS.length, 'one provider per view');
    // No section header rows any more: a view's top level is its items.
    for (const view of await treeSnapshot(state.services)) {
      assert.ok(!view.children.some((c) => c.contextValue?.startsWith('custodian.section.')), view.view);
    }
  });

  it('is empty without keys, so each view shows its welcome buttons', async () => {
    // Earlier suites may leave .enc files behind: the Encrypted Files view is empty only without any.
    const encLeft = (await vscode.workspace.findFiles('**/*.enc')).length > 0;
    const snapshot = (await treeSnapshot(state.services)).filter((v) => !(encLeft && v.view === 'custodian.encrypted'));
    assert.deepStrictEqual(
      snapshot.map((v) => [v.view, v.children.map((c) => c.label)]),
      VIEWS.filter((v) => !(encLeft && v === 'custodian.encrypted')).map((v) => [v, []]),
      'no keys, no roster, no files: every view is empty',
    );
    const keys = welcomes('custodian.keys');
    // One welcome per host kind (desktop: the OS keychain; a browser: its profile's storage), both with the two buttons.
    const bothButtons = (w: { contents: string }): boolean => w.contents.includes('command:custodian.generateKey') && w.contents.includes('command:custodian.importPrivateKey');
    for (const host of ['!isWeb', 'isWeb']) assert.ok(keys.some((w) => w.when === `!custodian.hasKeys && ${host} && !custodian.rosterCount` && bothButtons(w)), host);
    assert.ok(keys.some((w) => w.when === '!custodian.hasKeys && isWeb && !custodian.rosterCount' && /browser profile/.test(w.contents) && !/keys in the OS keychain/.test(w.contents)), 'no OS keychain promise in a browser');
    // With a roster (a clone, a new browser profile), importing the backup comes first, its button above the fold;
    // a browser still says where keys are kept.
    const roster = keys.filter((w) => w.when?.includes('custodian.rosterCount > 0'));
    assert.deepStrictEqual(roster.map((w) => w.when), ['!custodian.hasKeys && custodian.rosterCount > 0', '!custodian.hasKeys && isWeb && custodian.rosterCount > 0']);
    assert.ok(bothButtons(roster[0]) && roster[0].contents.indexOf('importPrivateKey') < roster[0].contents.indexOf('generateKey'), roster[0].contents);
    assert.match(roster[1].contents, /browser profile/);
    assert.ok(keys.indexOf(roster[0]) === 0, 'the roster welcome comes first');
    // The Team view is empty only when there is no roster (or no folder): its welcome explains the roster,
    // and offers Add Myself once I have a key.
    const team = welcomes('custodian.team');
    assert.ok(team.some((w) => w.when === 'workspaceFolderCount > 0 && !custodian.hasKeys' && w.contents.includes('.custodian/team/') && w.contents.includes('command:custodian.addTeammate')));
    assert.ok(team.some((w) => w.when === 'workspaceFolderCount > 0 && custodian.hasKeys' && w.contents.includes('command:custodian.addMyselfToTeam')));
    assert.ok(team.some((w) => w.when === 'workspaceFolderCount == 0' && w.contents.includes('command:workbench.action.files.openFolder')));
    // Every other view says what it is for and offers its first action, with or without a folder.
    const first: Record<string, string> = { 'custodian.encrypted': 'custodian.encryptFile', 'custodian.contacts': 'custodian.addContact', 'custodian.shamir': 'custodian.splitSecret', 'custodian.mfa': 'custodian.addSharedMfa' };
    for (const [view, command] of Object.entries(first)) {
      const w = welcomes(view);
      assert.ok(w.some((x) => x.when !== 'workspaceFolderCount == 0' && x.contents.includes(`command:${command}`)), `${view}: ${JSON.stringify(w)}`);
      if (view !== 'custodian.contacts') assert.ok(w.some((x) => x.when === 'workspaceFolderCount == 0'), `${view} without a folder`);
    }
    // Every command a welcome button runs exists.
    const commands = new Set((state.services.context.extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command));
    for (const w of VIEWS.flatMap(welcomes)) {
      for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(id) || id.startsWith('workbench.'), `${w.view}: ${id}`);
    }
  });

  it('the Encrypted Files view says "No encrypted files yet" only once its first scan is done (VS Code shows a welcome while a view loads)', async () => {
    const none = welcomes('custodian.encrypted').find((w) => w.contents.includes('No encrypted files yet'));
    assert.strictEqual(none?.when, 'workspaceFolderCount > 0 && custodian.encryptedScanned');
    const context = recordContextKeys('custodian.encryptedScanned');
    try {
      await section(state.services, 'encrypted');
      // Never "not scanned" once shown; a scan again (the roster's files deleted by the suite's reset) says true again.
      const values = context.valuesOf('custodian.encryptedScanned');
      assert.ok(values.length > 0 && values.every((v) => v === true), `set to true only: ${JSON.stringify(values)}`);
    } finally {
      context.dispose();
    }
  });

  it('with no key here yet, a drifted file I cannot open says to import my key first (I may be one of its readers), not only "Ask alice"', async () => {
    // A returning member in a new browser profile read "Ask alice, bob to re-encrypt it for you" as alice.
    const { addToRoster, encryptFor, person } = await import('./support/enc');
    await resetState(state.services);
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    addToRoster(alice);
    addToRoster(bob);
    const file = path.join(workspaceFolder().uri.fsPath, 'before-import.env.enc');
    fs.writeFileSync(file, await encryptFor([alice.publicKey], 'X=1\n', alice.key)); // not yet for bob
    try {
      const enc = await waitFor('the hint', async () => {
        const s = await section(state.services, 'encrypted');
        return s?.children.some((c) => c.label.startsWith('Import your key')) && s;
      });
      const hint = enc.children.find((c) => c.label.startsWith('Import your key'))!;
      // (Other suites' .enc files may be left in the workspace: "these N files" then.)
      assert.match(hint.label, /^Import your key to open (it|these \d+ files), or ask alice/);
      assert.strictEqual(hint.command, 'custodian.importPrivateKey');
      assert.match(hint.tooltip ?? '', /If you are alice, import your key/);
      assert.ok(!enc.children.some((c) => c.label.startsWith('Ask ')), enc.children.map((c) => c.label).join(' | '));
    } finally {
      fs.rmSync(file, { force: true });
      await resetState(state.services);
    }
  });

  it('with every file up to date, the Encrypted Files view still names them: the file itself (a click opens it), or the list in the tooltip', async () => {
    // A newcomer saw only "Encrypted for the current team" after encrypting a file, and wondered which.
    // The scan is given (other suites leave files in the workspace): the view's own reading of it is tested.
    const { EncryptedFilesSection } = await import('../../src/extension/views/sections/encrypted-files-section');
    const api = await getApi();
    const root = workspaceFolder().uri;
    const ok = (name: string) => ({ uri: vscode.Uri.joinPath(root, name), status: 'ok', missing: [], extra: [], canDecrypt: true }) as unknown as DriftEntry;
    const summaryOf = async (entries: DriftEntry[]) => {
      const scanner = { scan: async () => ({ entries, team: [], hasTeam: true }) } as unknown as DriftScanner;
      const view = new EncryptedFilesSection(api.encryption.deps.services, scanner, new vscode.EventEmitter<void>().event);
      try {
        const nodes = await view.getChildren();
        return nodes.map((n) => n.getTreeItem() as vscode.TreeItem).find((i) => (i.iconPath as vscode.ThemeIcon | undefined)?.id === 'check');
      } finally {
        view.dispose();
      }
    };
    const one = await summaryOf([ok('all-good.env.enc')]);
    assert.strictEqual(one?.label, 'all-good.env.enc · encrypted for the current team');
    assert.strictEqual(one?.command?.command, 'vscode.open');
    assert.strictEqual((one?.command?.arguments?.[0] as vscode.Uri).toString(), vscode.Uri.joinPath(root, 'all-good.env.enc').toString());
    const many = await summaryOf([ok('a.env.enc'), ok('config/b.yaml.enc')]);
    assert.strictEqual(many?.label, 'All 2 encrypted for the current team');
    assert.strictEqual(many?.tooltip, '- a.env.enc\n- config/b.yaml.enc');
  });

  it('puts each view\'s actions in its own title bar, and item actions only in the view that shows the item', () => {
    const title = menus()['view/title'];
    const on = (view: string) => title.filter((m) => (m.when ?? '').startsWith(`view == ${view}`) && m.group?.startsWith('navigation')).map((m) => m.command);
    assert.deepStrictEqual(on('custodian.keys'), ['custodian.generateKey', 'custodian.importPrivateKey']);
    assert.deepStrictEqual(on('custodian.team'), ['custodian.addMyselfToTeam', 'custodian.addTeammate', 'custodian.signRoster']);
    assert.deepStrictEqual(on('custodian.encrypted'), ['custodian.reencryptWorkspace']);
    assert.deepStrictEqual(on('custodian.contacts'), ['custodian.addContact']);
    assert.deepStrictEqual(on('custodian.shamir'), ['custodian.splitSecret']);
    assert.deepStrictEqual(on('custodian.mfa'), ['custodian.addSharedMfa']);
    const refresh = title.find((m) => m.command === 'custodian.refresh');
    for (const view of VIEWS) assert.ok(new RegExp((refresh?.when ?? '').replace(/^view =~ \/(.*)\/$/, '$1')).test(view), `Refresh on ${view}`);
    const itemView: [RegExp, string][] = [
      [/myKey/, 'custodian.keys'],
      [/teammate/, 'custodian.team'],
      [/contact\b/, 'custodian.contacts'],
      [/encFile/, 'custodian.encrypted'],
      [/shamir/, 'custodian.shamir'],
      [/mfa/, 'custodian.mfa'],
    ];
    for (const m of menus()['view/item/context']) {
      assert.ok(!/custodian\.section\./.test(m.when ?? ''), `no section header items: ${m.when}`);
      const view = itemView.find(([re]) => re.test(m.when ?? ''))?.[1];
      assert.ok(view && (m.when ?? '').startsWith(`view == ${view} && `), `${m.command}: ${m.when}`);
    }
  });

  it('offers Add Myself to Team only while none of my keys is on the team', async () => {
    const menus = (state.services.context.extension.packageJSON.contributes.menus as Record<string, { command: string; when?: string }[]>);
    const offers = [...menus['view/title'], ...menus['view/item/context'], ...menus.commandPalette].filter((m) => m.command === 'custodian.addMyselfToTeam' && !/viewItem =~/.test(m.when ?? ''));
    assert.ok(offers.length >= 2 && offers.every((m) => (m.when ?? '').includes('!custodian.onTeam')), JSON.stringify(offers));
    const context = recordContextKeys('custodian.onTeam');
    try {
      const key = (await run<KeyInfo>('custodian.generateKey', { name: 'Joiner', bits: 2048 }))!;
      await treeSnapshot(state.services);
      assert.strictEqual(context.valuesOf('custodian.onTeam').at(-1), false, 'not on the team yet: offered');
      await run('custodian.addMyselfToTeam', { id: key.id });
      await waitFor('the team to list me', async () => (await treeSnapshot(state.services)) && context.valuesOf('custodian.onTeam').at(-1) === true);
    } finally {
      context.dispose();
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

    const [keysView, teamView, contactsView] = await Promise.all(['keys', 'team', 'contacts'].map((id) => section(state.services, id)));
    assert.deepStrictEqual([keysView, teamView, contactsView].map((v) => [v?.label, v?.description]), [
      ['Keys', '2 keys'],
      ['Team', '2 teammates'],
      ['Contacts', '1 contact'],
    ]);

    const keys = keysView!.children;
    const a = keys.find((k) => k.label === 'Alice')!;
    const s = keys.find((k) => k.label === 'Spare')!;
    assert.strictEqual(a.contextValue, 'custodian.myKey.default');
    assert.strictEqual(a.icon, 'star-full');
    assert.match(a.description ?? '', /^2048-bit · [A-Za-z0-9+/]{8} · default$/);
    assert.ok(a.tooltip?.includes(alice.fingerprint), 'tooltip has the full fingerprint');
    assert.strictEqual(s.contextValue, 'custodian.myKey');
    assert.strictEqual(s.icon, 'key');
    assert.ok(!(s.description ?? '').includes('default'));

    const team = teamView!.children;
    assert.deepStrictEqual(team.map((t) => [t.label, t.contextValue, t.icon]), [
      ['alice', 'custodian.teammate.me', 'account'],
      ['bob', 'custodian.teammate', 'person'],
    ]);
    // Added by alice through Add Teammate: signed by her, so verified (docs/ROSTER.md).
    // The verdict first: a narrow sidebar cuts the end of the line.
    assert.match(team[1].description ?? '', /^verified by alice · bob@example\.com · 2048-bit · [A-Za-z0-9+/]{8}$/);

    const contacts = contactsView!.children;
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
    const sub = state.services.views.get('keys')!.onDidChangeTreeData(() => fired++);
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

  it('empties the Team view when the workspace has no roster, so its welcome explains the roster', async () => {
    fs.rmSync(path.join(teamDir()), { recursive: true, force: true });
    const team = await waitFor('the empty Team view', async () => {
      const t = await section(state.services, 'team');
      return t?.children.length === 0 ? t : undefined;
    });
    assert.strictEqual(team.description, undefined, 'no count beside the title');
    assert.ok(welcomes('custodian.team').some((w) => w.when === 'workspaceFolderCount > 0 && custodian.hasKeys' && /\.custodian\/team\/<name>\.pub/.test(w.contents)));
  });
});
