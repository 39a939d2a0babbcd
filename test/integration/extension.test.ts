import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'custodian-dev.custodian';

describe('extension', () => {
  it('activates and shows its version', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    const info = await vscode.commands.executeCommand<{ extension: string; vscode: string }>('custodian.showVersion');
    assert.ok(ext.isActive, 'extension is active after running a command');
    assert.strictEqual(info.extension, ext.packageJSON.version);
    assert.strictEqual(info.vscode, vscode.version);
  });
});
