// The walkthrough (Help › Welcome › Walkthroughs): the first five minutes in order — key, roster, encrypt,
// open, git — each step's buttons run commands that exist, and VS Code opens it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './support/custodian';

interface Walkthrough {
  id: string;
  title: string;
  steps: { id: string; title: string; description: string; completionEvents?: string[] }[];
}

describe('walkthrough', function () {
  this.timeout(60_000);

  it('has the five first steps, in order, with titles translated from package.nls', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const [w] = (ext.packageJSON as { contributes: { walkthroughs: Walkthrough[] } }).contributes.walkthroughs;
    assert.deepStrictEqual(w.steps.map((s) => s.id), ['key', 'team', 'encrypt', 'open', 'git']);
    for (const s of [w, ...w.steps]) assert.ok(!/^%.*%$/.test(s.title), `${s.title} is resolved`);
  });

  it('every button runs a registered command, custodian.gitSetup included', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const [w] = (ext.packageJSON as { contributes: { walkthroughs: Walkthrough[] } }).contributes.walkthroughs;
    const linked = w.steps.flatMap((s) => [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]));
    assert.ok(linked.length >= 8, linked.join(', '));
    const all = new Set(await vscode.commands.getCommands(true));
    assert.ok(linked.includes('custodian.gitSetup'), `the git step links custodian.gitSetup: ${linked.join(', ')}`);
    const missing = linked.filter((c) => !all.has(c));
    assert.deepStrictEqual(missing, []);
  });

  it('opens in VS Code', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#firstSteps`, false);
    const tab = await new Promise<vscode.Tab | undefined>((resolve) => {
      const end = Date.now() + 10_000;
      const poll = (): void => {
        const t = vscode.window.tabGroups.activeTabGroup.activeTab;
        if (t && /Welcome|Get Started|Walkthrough|Custodian/i.test(t.label)) resolve(t);
        else if (Date.now() > end) resolve(t);
        else setTimeout(poll, 100);
      };
      poll();
    });
    assert.match(tab?.label ?? '(no tab)', /Welcome|Get Started|Walkthrough|Custodian/i);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
