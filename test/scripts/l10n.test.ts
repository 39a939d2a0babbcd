// The Spanish UI stays complete: every message the extension shows has a translation in
// l10n/bundle.l10n.es.json, every %key% of package.json one in package.nls(.es).json, and no words
// reach the user without vscode.l10n.t. The failure lists what is missing; `node scripts/l10n-missing.js
// --json` prints it as a skeleton to fill in.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as scan from '../../scripts/lib/l10n-scan';

const list = (items: string[]): string => `\n  ${items.join('\n  ')}\n(run \`node scripts/l10n-missing.js\` for the full list)`;

describe('l10n (Spanish UI)', function () {
  this.timeout(60_000);
  const report = scan.report();

  it('finds the messages and package.json keys to check (the scan is not vacuous)', () => {
    assert.ok(report.messages > 500, `only ${report.messages} l10n.t messages found`);
    assert.ok(report.manifestKeys > 50, `only ${report.manifestKeys} %keys% found in package.json`);
  });

  it('every vscode.l10n.t message is a literal (a bundle can only translate literals)', () => {
    assert.deepStrictEqual(report.problems, [], list(report.problems));
  });

  it('every l10n.t message has a Spanish translation with the same placeholders', () => {
    const es = report.languages.es;
    const missing = es.missing.map((m) => `${JSON.stringify(m.message)}  (${m.at})`);
    assert.deepStrictEqual(missing, [], `${missing.length} message(s) without a Spanish translation in l10n/bundle.l10n.es.json:${list(missing)}`);
    assert.deepStrictEqual(es.badPlaceholders, [], `translations whose {n} placeholders differ from the English:${list(es.badPlaceholders)}`);
    assert.deepStrictEqual(es.stale, [], `translations of messages the code no longer has (remove them):${list(es.stale)}`);
  });

  it('every %key% of package.json is defined in package.nls.json and translated in package.nls.es.json', () => {
    assert.deepStrictEqual(report.nlsUndefined, [], `keys missing from package.nls.json:${list(report.nlsUndefined)}`);
    assert.deepStrictEqual(report.languages.es.nlsMissing, [], `keys missing from package.nls.es.json:${list(report.languages.es.nlsMissing)}`);
    assert.deepStrictEqual(report.languages.es.nlsStale, [], `unused keys in package.nls.es.json:${list(report.languages.es.nlsStale)}`);
  });

  it('no words reach the user without vscode.l10n.t', () => {
    assert.deepStrictEqual(report.untranslated, [], `literals shown to the user (wrap them in vscode.l10n.t):${list(report.untranslated)}`);
  });

  it('the literal check catches a message, a quick-pick title and a tree item written in English', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-l10n-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'careless.ts'),
        [
          "import * as vscode from 'vscode';",
          "void vscode.window.showErrorMessage('Something broke.');",
          "void vscode.window.showQuickPick([], { title: `Pick ${1} key` });",
          "const item = new vscode.TreeItem('My Keys');",
          "void vscode.window.showInformationMessage(vscode.l10n.t('Fine: {0}', 1));",
          "const id = { label: `${item.id} · ${2}` };",
        ].join('\n'),
      );
      const found = scan.untranslatedLiterals(dir).map((f) => f.replace(/^.*careless\.ts:/, ''));
      assert.deepStrictEqual(found, [
        "2: 'Something broke.' (showErrorMessage)",
        '3: `Pick ${1} key` (title)',
        "4: 'My Keys' (new vscode.TreeItem)",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
