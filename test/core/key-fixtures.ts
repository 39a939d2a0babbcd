// Shared helpers for the key tests: committed fixtures (test/vectors/keys, see test/vectors/README.md)
// and running openssl / ssh-keygen as oracles on temporary files.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KEYS_DIR = join(__dirname, '..', 'vectors', 'keys');
export const FIXTURE_PASSPHRASE = 'correct horse battery';

export interface ExpectedKey {
  bits: number;
  fingerprint: string;
  sshPublicKey: string;
}
export const EXPECTED: Record<string, ExpectedKey> = JSON.parse(readFileSync(join(KEYS_DIR, 'expected.json'), 'utf8'));

export function fixture(name: string): string {
  return readFileSync(join(KEYS_DIR, name), 'utf8');
}

/** Runs `tool` with `{file}` placeholders replaced by temp files (mode 0600, as ssh-keygen insists). */
export function runTool(tool: string, args: string[], files: Record<string, string> = {}, input?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-keys-'));
  try {
    const paths: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      paths[name] = join(dir, name);
      writeFileSync(paths[name], content);
      chmodSync(paths[name], 0o600);
    }
    const resolved = args.map((a) => a.replace(/\{(\w+)\}/g, (_, n: string) => paths[n] ?? join(dir, n)));
    return execFileSync(tool, resolved, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
