import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_PROJECT_CONFIG, ProjectConfigError } from '../../src/core/project-config';
import { readProjectConfig } from '../../src/node/project-config';

describe('readProjectConfig', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-config-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('uses the defaults in a repository without the file', async () => {
    assert.equal(await readProjectConfig(root), DEFAULT_PROJECT_CONFIG);
  });

  it('reads the file under .custodian/', async () => {
    fs.mkdirSync(path.join(root, '.custodian'));
    fs.writeFileSync(path.join(root, '.custodian', 'config'), '{ "run": { "envFiles": [".env.enc"] } }');
    assert.deepEqual((await readProjectConfig(root)).run.envFiles, ['.env.enc']);
  });

  it('refuses a file that is not UTF-8 or is far too large, naming it', async () => {
    fs.mkdirSync(path.join(root, '.custodian'));
    const file = path.join(root, '.custodian', 'config');
    fs.writeFileSync(file, Buffer.from([0x7b, 0xff, 0x7d]));
    await assert.rejects(readProjectConfig(root), (err: Error) => err instanceof ProjectConfigError && err.message.includes(file));
    fs.writeFileSync(file, `{ "x": "${'a'.repeat(70 * 1024)}" }`);
    await assert.rejects(readProjectConfig(root), /larger than/);
  });
});
