// scripts/lib/serve.js: the demo workspace `npm start` opens. It is made once, outside the project's
// repository, and never rewritten: a second start must not bring back a plaintext `.env` the user
// encrypted (and deleted), nor undo their edits.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const serve = require('../../scripts/lib/serve') as { DEMO_WORKSPACE: string; prepareDemoWorkspace: (dir?: string) => unknown };
const ROOT = path.resolve(__dirname, '..', '..');

/** Every `X.enc` in `dir` whose plaintext `X` sits beside it. */
function plaintextBesideEnc(dir: string): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.enc')) continue;
    const plain = path.join(e.parentPath, e.name.slice(0, -'.enc'.length));
    if (fs.existsSync(plain)) found.push(path.relative(dir, plain));
  }
  return found;
}

describe('scripts/lib/serve: the demo workspace', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-demo-test-'));
  });
  afterEach(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('a second run keeps the user\'s edits and puts no plaintext .env back beside .env.enc', () => {
    const dir = path.join(base, 'demo');
    serve.prepareDemoWorkspace(dir);
    assert.ok(fs.existsSync(path.join(dir, '.env')), 'the seed .env');
    // What a user does in the demo: Encrypt File with Delete Original, and some edits.
    fs.writeFileSync(path.join(dir, '.env.enc'), 'stands in for the encrypted file\n');
    fs.rmSync(path.join(dir, '.env'));
    fs.appendFileSync(path.join(dir, 'README.md'), 'my notes\n');
    fs.writeFileSync(path.join(dir, 'config', 'secrets.yaml'), 'edited: true\n');

    serve.prepareDemoWorkspace(dir);
    assert.deepStrictEqual(plaintextBesideEnc(dir), [], 'no plaintext beside its .enc');
    assert.match(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), /my notes\n$/);
    assert.equal(fs.readFileSync(path.join(dir, 'config', 'secrets.yaml'), 'utf8'), 'edited: true\n');
  });

  it('is its own git repository (git rev-parse), so VS Code never offers a parent folder\'s', () => {
    const dir = path.join(base, 'demo');
    serve.prepareDemoWorkspace(dir);
    const top = execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
    assert.equal(fs.realpathSync(top), fs.realpathSync(dir));
    assert.deepStrictEqual(fs.readdirSync(base), ['demo'], 'no staging folder left behind');
  });

  it('starts with one commit, and git ignores the plaintext files the user is meant to encrypt', () => {
    const dir = path.join(base, 'demo-git');
    serve.prepareDemoWorkspace(dir);
    const log = execFileSync('git', ['-C', dir, 'log', '--format=%s'], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(log.length, 1, 'one first commit');
    const tracked = execFileSync('git', ['-C', dir, 'ls-files'], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(!tracked.includes('.env') && !tracked.includes('config/secrets.yaml'), `no plaintext committed: ${tracked.join(', ')}`);
    for (const f of ['.env', 'config/secrets.yaml']) {
      execFileSync('git', ['-C', dir, 'check-ignore', '-q', f]); // throws (exit 1) when not ignored
    }
    assert.equal(execFileSync('git', ['-C', dir, 'status', '--porcelain'], { encoding: 'utf8' }), '', 'a clean working tree');
  });

  it('lives outside the project repository, and a folder inside it is refused', () => {
    const rel = path.relative(ROOT, serve.DEMO_WORKSPACE);
    assert.ok(rel.startsWith('..') || path.isAbsolute(rel), `${serve.DEMO_WORKSPACE} is outside ${ROOT}`);
    const inside = path.join(ROOT, '.vscode-test', `demo-refused-${process.pid}`);
    assert.throws(() => serve.prepareDemoWorkspace(inside), /inside the project's repository/);
    assert.ok(!fs.existsSync(inside), 'nothing created');
  });
});
