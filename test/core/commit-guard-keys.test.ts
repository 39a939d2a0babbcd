// The commit guard's private-key rule: a key block with key material is refused in any file and any
// wrapping (PEM, a YAML block, a commented-out key, a JSON string, one line); a BEGIN line that only
// documents the format is not (Bitnami's nginx values.yaml, whose every value was encrypted, was refused).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStagedFiles, type GuardInput } from '../../src/core/commit-guard';
import { DEFAULT_GUARD_PLAINTEXT_PATHS } from '../../src/core/project-config';

const PEM = readFileSync(join(__dirname, '..', 'vectors', 'envelope', 'alice.pem'), 'utf8');
const OPENSSH = readFileSync(join(__dirname, '..', 'vectors', 'keys', 'rsa3072-openssh-encrypted'), 'utf8');

async function rules(path: string, text: string): Promise<string[]> {
  const input: GuardInput = { files: [{ path, content: new TextEncoder().encode(text) }], indexPaths: new Set([path]), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => s, show: (s) => s };
  return (await checkStagedFiles(input)).map((f) => f.rule);
}

describe('commit guard: private keys', () => {
  it('a key with its material is refused however it is wrapped, and cut after its first line too', async () => {
    const [begin, first] = PEM.split('\n');
    const indented = PEM.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
    const cases: [string, string][] = [
      ['key.pem', PEM],
      ['openssh.txt', OPENSSH],
      ['notes.md', `Backup:\n\n${begin}\n${first}\n`], // cut in half
      ['values.yaml', `tls:\n  key: |\n${indented}\n`],
      ['values.yaml', `tls:\n  key: "${PEM.trimEnd().replace(/\n/g, '\\n')}"\n`],
      ['sa.json', JSON.stringify({ private_key: PEM })],
      ['config.yaml', `# old key, kept just in case\n${PEM.trimEnd().split('\n').map((l) => `# ${l}`).join('\n')}\n`],
      ['one-line.txt', `KEY=${PEM.trimEnd().replace(/\n/g, ' ')}\n`],
      ['legacy.pem', `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89C4D9E4B0D1D2E3F4\n\n${first}\n`],
      ['secring.asc', `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${first}\n`],
    ];
    // (Some paths are also guard.plaintextPaths: *.pem is refused by name too.)
    for (const [path, text] of cases) assert.ok((await rules(path, text)).includes('private-key'), `${path}: ${JSON.stringify(text.slice(0, 120))}`);
  });

  it('a BEGIN line that documents the format, with no key material after it, is not a key', async () => {
    const bitnami = readFileSync(join(__dirname, '..', 'fixtures', 'values-wild', 'bitnami-nginx.values.yaml'), 'utf8');
    assert.match(bitnami, /-----BEGIN RSA PRIVATE KEY-----/);
    assert.deepEqual(await rules('values.yaml', bitnami), []);
    assert.deepEqual(await rules('README.md', 'A key file starts with `-----BEGIN PRIVATE KEY-----` and ends with `-----END PRIVATE KEY-----`.\n'), []);
    assert.deepEqual(await rules('docs.md', '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n'), []);
  });
});
