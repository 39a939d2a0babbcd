// Restricted Mode: in a workspace that is not trusted, Custodian does not read the workspace's `.enc`
// headers, MFA seeds, share sets or armored blocks by itself. The harness runs with workspace trust
// turned off (every workspace trusted), so the test puts the extension's trust gate into "untrusted"
// (services.trust.simulate) — what VS Code's `workspace.isTrusted` feeds it in Restricted Mode.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { armor } from '../../src/core/armor';
import { section, waitFor } from './support/custodian';
import { encryptFor, useTeam, wsPath, wsUri } from './support/enc';

describe('restricted mode', function () {
  this.timeout(60_000);
  const team = useTeam();

  before(async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('drifted.env.enc'), await encryptFor([me], 'D=1\n', team.alice.key));
    fs.writeFileSync(wsPath('restricted-notes.md'), `# notes\n${armor(await encryptFor([me], 'block-secret', team.alice.key))}`);
  });

  after(() => {
    fs.rmSync(wsPath('drifted.env.enc'), { force: true });
    fs.rmSync(wsPath('restricted-notes.md'), { force: true });
  });

  async function lensTitles(): Promise<string[]> {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', wsUri('restricted-notes.md'), 10)) ?? [];
    return lenses.map((l) => l.command?.title ?? '');
  }

  it('untrusted: Encrypted Files, Shared MFA and Shamir Sets do not scan, armored blocks get no CodeLens; the roster still shows', async () => {
    await vscode.window.showTextDocument(wsUri('restricted-notes.md'));
    await waitFor('the drift view to list drifted.env.enc', async () => (await section(team.services, 'encrypted'))?.children.some((c) => c.label === 'drifted.env.enc'));
    assert.ok((await lensTitles()).some((t) => /Encrypted for/.test(t)), 'trusted: the block has a CodeLens');

    const untrusted = team.services.trust.simulate(false);
    try {
      for (const id of ['encrypted', 'mfa', 'shamir']) {
        const s = await section(team.services, id);
        assert.ok(s, `section ${id}`);
        assert.deepStrictEqual(s.children.map((c) => c.contextValue), ['custodian.restricted'], `${id}: ${s.children.map((c) => c.label).join(', ')}`);
      }
      assert.deepStrictEqual(await lensTitles(), [], 'no CodeLens parses the block');
      const teamSection = await section(team.services, 'team');
      assert.ok(teamSection?.children.some((c) => /alice/.test(c.label)), 'the roster is still listed');
    } finally {
      untrusted.dispose();
    }

    // Trust granted: everything lists again.
    assert.ok((await section(team.services, 'encrypted'))?.children.some((c) => c.label === 'drifted.env.enc'));
    assert.ok((await lensTitles()).some((t) => /Encrypted for/.test(t)));
  });
});
