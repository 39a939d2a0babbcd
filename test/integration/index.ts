// Entry point the VS Code test runner loads inside the extension host: runs every *.test.js beside it.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.CUSTODIAN_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      // Machine-readable summary; the harness turns it into the closing "N passed, N failed" line.
      const passes = runner.stats?.passes ?? 0;
      console.log(`[custodian-tests] passes=${passes} failures=${failures} pending=${runner.stats?.pending ?? 0}`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
      else resolve();
    });
  });
}
