// Names come from files anyone can commit: a roster file name or key comment with a bidi override or a
// terminal escape must not reorder or forge what the UI says about recipients and signers. Roster names
// are checked on read (docs/ROSTER.md §2): such a file is an invalid entry, never a teammate, and its
// name is shown neutralized.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { getServices, scratchDir, sshKeygen, teamDir } from './support/custodian';

describe('display names from files', function () {
  this.timeout(60_000);
  const hostileNames = ['mallory\u202egpj.exe', 'Alice (you)'];
  const rosterFiles: string[] = [];

  before(() => {
    const key = sshKeygen(scratchDir(), `display-${Date.now()}`, 'ceo\u001b[2J (you)');
    fs.mkdirSync(teamDir(), { recursive: true });
    for (const name of hostileNames) {
      const file = path.join(teamDir(), `${name}.pub`);
      // A roster line without a comment: the file name is the teammate's name.
      fs.writeFileSync(file, `${key.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
      rosterFiles.push(file);
    }
  });

  after(() => {
    for (const f of rosterFiles) fs.rmSync(f, { force: true });
  });

  it('a roster name with a bidi override or "(you)" is an invalid entry, never a teammate, shown neutralized', async () => {
    const services = await getServices();
    services.refresh();
    const entries = await services.roster.list();
    for (const name of hostileNames) {
      const entry = entries.find((e) => e.name === name);
      assert.ok(entry, `the roster lists ${JSON.stringify(name)}`);
      assert.strictEqual(entry.kind, 'invalid', name);
      assert.strictEqual(entry.kind === 'invalid' && entry.errorName, 'InvalidName');
    }
    assert.ok(!(await services.roster.members()).some((m) => hostileNames.includes(m.name)), 'neither is a member anyone is encrypted to');
    // The Problems panel names the file without the override.
    const diagnostics = rosterFiles.flatMap((f) => vscode.languages.getDiagnostics(vscode.Uri.file(f))).map((d) => d.message);
    assert.strictEqual(diagnostics.length, hostileNames.length, JSON.stringify(diagnostics));
    assert.ok(diagnostics.some((m) => m.includes('"mallory\ufffdgpj.exe" is not a valid roster name')), JSON.stringify(diagnostics));
    assert.ok(!diagnostics.some((m) => m.includes('\u202e')), JSON.stringify(diagnostics));
  });
});
