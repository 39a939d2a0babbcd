// The commit guard's private-key rule: a key's BEGIN line is refused in any file, however the key is wrapped
// (PEM, a YAML block, a commented-out key, a JSON string, one line, code that concatenates it). In a
// value-encrypted file, whose comments document its settings, only a BEGIN line with key material after it
// counts: Bitnami's nginx values.yaml, every value encrypted, was refused for a comment naming the line.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStagedFiles, type GuardInput } from '../../src/core/commit-guard';
import { DEFAULT_GUARD_PLAINTEXT_PATHS } from '../../src/core/project-config';
import { sealValues } from '../../src/core/values';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const PEM = readFileSync(join(__dirname, '..', 'vectors', 'envelope', 'alice.pem'), 'utf8');
const OPENSSH = readFileSync(join(__dirname, '..', 'vectors', 'keys', 'rsa3072-openssh-encrypted'), 'utf8');
const backend = createNodeCryptoBackend();
const alice = loadKey('alice');

async function rules(path: string, text: string): Promise<string[]> {
  const input: GuardInput = { files: [{ path, content: new TextEncoder().encode(text) }], indexPaths: new Set([path]), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => s, show: (s) => s };
  return (await checkStagedFiles(input)).map((f) => f.rule);
}

describe('commit guard: private keys', () => {
  it('a key is refused however it is wrapped, cut after its first line, or its BEGIN line alone, in any file that is not value-encrypted', async () => {
    const lines = PEM.trimEnd().split('\n');
    const indented = lines.map((l) => `    ${l}`).join('\n');
    const cases: [string, string][] = [
      ['key.pem', PEM],
      ['openssh.txt', OPENSSH],
      ['notes.md', `Backup:\n\n${lines[0]}\n${lines[1]}\n`], // cut in half
      ['values.yaml', `tls:\n  key: |\n${indented}\n`],
      ['values.yaml', `tls:\n  key: "${PEM.trimEnd().replace(/\n/g, '\\n')}"\n`],
      ['sa.json', JSON.stringify({ private_key: PEM })],
      ['config.json', JSON.stringify({ private_key: PEM }).replace(/\//g, '\\/')], // PHP's json_encode
      ['config.yaml', `# old key, kept just in case\n${lines.map((l) => `# ${l}`).join('\n')}\n`],
      ['one-line.txt', `KEY=${PEM.trimEnd().replace(/\n/g, ' ')}\n`],
      ['fixtures.js', `const KEY =\n${lines.map((l) => `  "${l}\\n"`).join(' +\n')};\n`], // concatenated in code
      ['app.config', `<add key="Key" value="${PEM.trimEnd().replace(/\n/g, '&#xD;&#xA;')}" />\n`],
      ['setup.sh', `${lines.map((l, i) => `echo '${l}' ${i ? '>>' : '>'} ~/.ssh/id_rsa`).join('\n')}\n`],
      ['secring.asc', `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${lines[1]}\n`],
      // Its BEGIN line alone: it may be a key wrapped too narrowly to see, so a plain file is refused.
      ['README.md', 'A key file starts with `-----BEGIN PRIVATE KEY-----`.\n'],
    ];
    // (Some paths are also guard.plaintextPaths: *.pem is refused by name too.)
    for (const [path, text] of cases) assert.ok((await rules(path, text)).includes('private-key'), `${path}: ${JSON.stringify(text.slice(0, 120))}`);
  });

  it('in a value-encrypted file, a BEGIN line that only documents the format passes; a key in a comment or a value left in the clear is refused', async () => {
    const bitnami = readFileSync(join(__dirname, '..', 'fixtures', 'values-wild', 'bitnami-nginx.values.yaml'), 'utf8');
    assert.match(bitnami, /-----BEGIN RSA PRIVATE KEY-----/);
    const seal = (text: string, rule?: string) =>
      sealValues(text, { format: 'yaml', recipients: [alice.publicKey], backend, rule: rule ? { kind: 'unencrypted-regex', regex: rule } : undefined });
    assert.deepEqual(await rules('values.yaml', await seal(bitnami)), []);
    // The same file in the clear: refused as before (its BEGIN line).
    assert.ok((await rules('values.yaml', bitnami)).includes('private-key'));
    const lines = PEM.trimEnd().split('\n');
    const commented = `db:\n  password: s3cr3t\n# the old key:\n${lines.map((l) => `# ${l}`).join('\n')}\n`;
    assert.ok((await rules('values.yaml', await seal(commented))).includes('private-key'), 'a key in a comment');
    const inClear = `tls:\n  key_public: |\n${lines.map((l) => `    ${l}`).join('\n')}\n  password: s3cr3t\n`;
    assert.ok((await rules('values.yaml', await seal(inClear, '_public$'))).includes('private-key'), 'a key in a value left in the clear');
  });
});
