// The packaged extension, as a user installs it: scripts/test-all.js builds custodian.vsix, installs it
// with `code-server --install-extension` (CUSTODIAN_TEST_VSIX) and runs this file with the activation
// and encrypt/decrypt suites against the installed copy. Skipped when testing the checkout.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, getApi } from './support/custodian';

describe('vsix: the installed copy', function () {
  const extensionsDir = process.env.CUSTODIAN_TEST_EXTENSIONS_DIR;

  before(function () {
    if (!extensionsDir) this.skip();
  });

  it('is the one that runs: loaded from the extensions dir, not from the checkout, and recorded as installed', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    assert.ok(ext.extensionPath.startsWith(`${extensionsDir}${path.sep}`), `${ext.extensionPath} is under ${extensionsDir}`);
    const version = (ext.packageJSON as { version: string }).version;
    assert.strictEqual(path.basename(ext.extensionPath), `${EXTENSION_ID}-${version}`);
    // What `--install-extension` writes: the extension is known to VS Code's extension management, not just a folder.
    const registry = JSON.parse(fs.readFileSync(path.join(extensionsDir!, 'extensions.json'), 'utf8')) as { identifier: { id: string }; version: string }[];
    assert.ok(registry.some((e) => e.identifier.id === EXTENSION_ID && e.version === version), JSON.stringify(registry));
    await getApi();
    assert.ok(ext.isActive);
  });

  it('ships the bundles, the icon and the translations, and no sources, tests or source maps', () => {
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        // The harness copies this test bundle there after installing (scripts/run-integration.js).
        if (dir === root && e.name === '.integration-tests') continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(path.relative(root, p).split(path.sep).join('/'));
      }
    };
    walk(root);
    for (const f of ['dist/extension.js', 'package.json', 'package.nls.json', 'package.nls.es.json', 'l10n/bundle.l10n.es.json', 'media/custodian.svg']) {
      assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    }
    assert.deepStrictEqual(files.filter((f) => /^(src|test|scripts|docs|node_modules)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts')), []);
  });
});
