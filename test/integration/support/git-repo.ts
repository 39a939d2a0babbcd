// A git repository in the test workspace for the suites that drive git from VS Code (git.test.ts,
// merge-editor.test.ts): the real git, isolated from the machine's git config, with a roster of me and
// alice and Custodian's drivers set up by its own CLI (`custodian git setup`).
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { exportPublicKeyOpenSsh, type RsaPublicKey } from '../../../src/core/keys';
import { EXTENSION_ID } from './custodian';
import { wsPath } from './enc';

export type GitRun = (args: string[], env?: Record<string, string | undefined>) => ReturnType<typeof spawnSync> & { stdout: string; stderr: string };

/** git in `repo` with a fixed author, no signing and no system or global config; `env` is added to this process's. */
export function gitIn(repo: () => string): GitRun {
  return (args, env = {}) =>
    spawnSync('git', ['-C', repo(), '-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env },
      encoding: 'utf8',
    });
}

export function ok(r: { status: number | null; stderr: string; stdout: string }): void {
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
}

/** The installed extension's CLI, as git's drivers run it. */
export function extensionCli(): string {
  return path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
}

/** A new repository `name` in the workspace (replacing one left over), its roster me and alice, its drivers set up. */
export function teamRepo(name: string, me: RsaPublicKey, alice: RsaPublicKey): string {
  const repo = wsPath(name);
  fs.rmSync(repo, { recursive: true, force: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  fs.mkdirSync(path.join(repo, '.custodian', 'team'), { recursive: true });
  fs.writeFileSync(path.join(repo, '.custodian/team/me.pub'), exportPublicKeyOpenSsh(me, 'me') + '\n');
  fs.writeFileSync(path.join(repo, '.custodian/team/alice.pub'), exportPublicKeyOpenSsh(alice, 'alice') + '\n');
  const setup = spawnSync('node', [extensionCli(), 'git', 'setup'], { cwd: repo, encoding: 'utf8' });
  assert.strictEqual(setup.status, 0, setup.stderr);
  return repo;
}
