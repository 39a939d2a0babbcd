// The commit guard and value-encrypted files (docs/GIT.md, docs/VALUES.md): a `.env` whose values are
// encrypted is how that path is meant to be committed, so it passes; a value left in the clear against
// the file's rule is refused by name (never quoting the value), and a plain `.env` still is.
import { strict as assert } from 'node:assert';
import { checkStagedFiles, type GuardInput, type StagedFile } from '../../src/core/commit-guard';
import { PathPatterns } from '../../src/core/path-patterns';
import { DEFAULT_GUARD_PLAINTEXT_PATHS } from '../../src/core/project-config';
import { sealValues } from '../../src/core/values';
import { joinConflict } from '../../src/core/values-conflict';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const backend = createNodeCryptoBackend();
const alice = loadKey('alice');

function input(files: StagedFile[]): GuardInput {
  return { files, indexPaths: new Set(files.map((f) => f.path)), plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS, roster: [], quote: (s) => `'${s}'`, show: (s) => s };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('commit guard: value-encrypted files', () => {
  it('a value-encrypted .env passes where a plain .env is refused', async () => {
    const sealed = await sealValues('API_TOKEN=s3cr3t-token\nDB_URL=postgres://u:pw@h/db\n', { format: 'dotenv', recipients: [alice.publicKey], backend });
    assert.deepEqual(await checkStagedFiles(input([{ path: '.env', content: utf8(sealed) }])), []);
    const plain = await checkStagedFiles(input([{ path: '.env', content: utf8('API_TOKEN=s3cr3t-token\n') }]));
    assert.deepEqual(plain.map((f) => [f.rule, f.severity]), [['plaintext-path', 'error']]);
  });

  it('a value-encrypted file still holding both sides of a merge conflict is refused, wherever it is (a "stage all" committed one)', async () => {
    const ours = await sealValues('A=1\nB=ours\n', { format: 'dotenv', recipients: [alice.publicKey], backend });
    const theirs = await sealValues('A=1\nB=theirs\n', { format: 'dotenv', recipients: [alice.publicKey], backend });
    const conflicted = joinConflict(ours, theirs);
    assert.ok(conflicted);
    for (const path of ['.env', 'config/app.env']) {
      const findings = await checkStagedFiles(input([{ path, content: utf8(conflicted) }]));
      assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.message]), [['unresolved-conflict', 'error', `${path} still holds both sides of a merge conflict, sealed between conflict markers`]]);
      assert.match(findings[0].fix, /Resolve in Merge Editor.*then git add/);
    }
    // git's own line merge of two sealed versions (no driver): markers around token lines, refused too.
    const lineMerged = `${ours.split('\n')[0]}\n<<<<<<< ours\n${ours.split('\n').slice(1).join('\n')}=======\n${theirs.split('\n').slice(1).join('\n')}>>>>>>> theirs\n`;
    assert.deepEqual((await checkStagedFiles(input([{ path: '.env', content: utf8(lineMerged) }]))).map((f) => f.rule), ['unresolved-conflict']);
    assert.deepEqual(await checkStagedFiles(input([{ path: '.env', content: utf8(ours) }])), [], 'a resolved file passes');
  });

  it('a value put back in the clear by hand is refused by name, and its value is not shown', async () => {
    const sealed = await sealValues('API_TOKEN=s3cr3t-token\nDB_URL=postgres://u:pw@h/db\n', { format: 'dotenv', recipients: [alice.publicKey], backend });
    const edited = sealed.replace(/^API_TOKEN=.*$/m, 'API_TOKEN=leaked-by-hand');
    const findings = await checkStagedFiles(input([{ path: 'config/.env', content: utf8(edited) }]));
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'error');
    assert.match(findings[0].message, /holds 1 value\(s\) in the clear that its rule says must be encrypted: API_TOKEN/);
    assert.ok(!`${findings[0].message} ${findings[0].fix}`.includes('leaked-by-hand'));
    // The fix is one that works on a file that no longer opens: restore, then set the value properly.
    assert.match(findings[0].fix, /restore it \(git restore --staged --worktree 'config\/\.env'/);
    assert.match(findings[0].fix, /custodian set 'config\/\.env' 'API_TOKEN' < FILE-WITH-THE-VALUE/);
  });

  it('a value typed in the clear into a value-encrypted file is refused at any path, not only at guarded ones (a newcomer committed config/secrets.yaml so)', async () => {
    const sealed = await sealValues('db:\n  host: db.internal\n  password: s3cr3t\n', { format: 'yaml', recipients: [alice.publicKey], backend });
    const edited = sealed.replace(/^( {2}host: ).*$/m, '$1plaintext-typed-here');
    assert.equal(new PathPatterns(DEFAULT_GUARD_PLAINTEXT_PATHS).match('config/secrets.yaml'), undefined, 'a path no default rule guards');
    const findings = await checkStagedFiles(input([{ path: 'config/secrets.yaml', content: utf8(edited) }]));
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['plaintext-path', 'error']]);
    assert.match(findings[0].message, /holds 1 value\(s\) in the clear that its rule says must be encrypted: db\.host/);
    assert.ok(!JSON.stringify(findings).includes('plaintext-typed-here'));
    // Typed to look like a token, it is still in the clear (a red team's custodian-val1.hunter2-prod-password).
    const shaped = sealed.replace(/^( {2}host: ).*$/m, '$1custodian-val1.hunter2-prod-password');
    const named = await checkStagedFiles(input([{ path: 'config/secrets.yaml', content: utf8(shaped) }]));
    assert.match(named[0]?.message ?? '', /holds 1 value\(s\) in the clear that its rule says must be encrypted: db\.host/);
    // Sealed as it was, it passes there.
    assert.deepEqual(await checkStagedFiles(input([{ path: 'config/secrets.yaml', content: utf8(sealed) }])), []);
  });

  it('a recipient the staged roster lacks is named as removed or not staged yet (a newcomer\'s new teammate, whose .pub was not staged, was called "no longer in the roster")', async () => {
    const bob = loadKey('bob');
    const sealed = await sealValues('TOKEN=t0k3n\n', { format: 'dotenv', recipients: [alice.publicKey, bob.publicKey], backend, recipientPolicy: 'team' });
    const findings = await checkStagedFiles({ ...input([{ path: 'app.env', content: utf8(sealed) }]), roster: [{ name: 'alice', key: alice.publicKey }] });
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['recipient-drift', 'warning']]);
    assert.match(findings[0].message, /readable by 1 key\(s\) not in the roster as staged \(SHA256:[^)]+\): someone removed, or a teammate whose \.pub is not staged yet \(git add \.custodian\/team\)/);
  });

  it('a line appended after the metadata block (echo NAME=value >> .env) is named as one, in the clear, with the way to set it and that git add stored it; its value is not shown', async () => {
    const sealed = await sealValues('API_TOKEN=s3cr3t-token\n', { format: 'dotenv', recipients: [alice.publicKey], backend });
    const findings = await checkStagedFiles(input([{ path: '.env', content: utf8(`${sealed}STRIPE_SECRET=sk_live_appended\n`) }]));
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['corrupt-values', 'error']]);
    assert.equal(findings[0].message, '.env has a line after its #custodian: block (added at the end by hand?): that line is not encrypted, and the file would open for no one');
    assert.match(findings[0].fix, /custodian set '\.env' NAME < FILE-WITH-THE-VALUE.*git add stored the line in the clear in \.git\/objects/);
    assert.ok(!JSON.stringify(findings).includes('sk_live_appended'));
  });

  it('values a suffix rule leaves in the clear pass; a regex rule that leaves values in the clear is named for review', async () => {
    const suffix = await sealValues('URL_PUBLIC=https://example.com\nTOKEN=t0k3n\n', { format: 'dotenv', recipients: [alice.publicKey], backend, rule: { kind: 'unencrypted-suffix', suffix: '_PUBLIC' } });
    assert.deepEqual(await checkStagedFiles(input([{ path: '.env', content: utf8(suffix) }])), []);
    const regex = await sealValues('URL=https://example.com\nTOKEN=t0k3n\n', { format: 'dotenv', recipients: [alice.publicKey], backend, rule: { kind: 'unencrypted-regex', regex: '.*' } });
    const findings = await checkStagedFiles(input([{ path: '.env', content: utf8(regex) }]));
    assert.deepEqual(findings.map((f) => f.severity), ['warning']);
    assert.match(findings[0].message, /leaves URL, TOKEN in the clear under its rule unencrypted-regex:\.\*/);
  });

  it('the last commit\'s version: values it already left in the clear under the same regex are not named again; a changed regex names them all', async () => {
    const seal = (doc: string, regex: string) => sealValues(doc, { format: 'dotenv', recipients: [alice.publicKey], backend, rule: { kind: 'unencrypted-regex', regex } });
    const before = await seal('PORT=1\nTOKEN=t\n', '^(PORT|HOST)$');
    const after = await seal('PORT=1\nHOST=h\nTOKEN=t\n', '^(PORT|HOST)$');
    const check = async (committed: string) => checkStagedFiles({ ...input([{ path: '.env', content: utf8(after) }]), committed: new Map([['.env', utf8(committed)]]) });
    const same = await check(before);
    assert.deepEqual(same.map((f) => f.severity), ['warning']);
    assert.match(same[0].message, /leaves HOST in the clear under its rule unencrypted-regex:\^\(PORT\|HOST\)\$ \(new since the last commit\)/);
    assert.deepEqual(await check(after), [], 'nothing new in the clear');
    const widened = await check(await seal('PORT=1\nTOKEN=t\n', '^PORT$'));
    assert.match(widened[0].message, /leaves PORT, HOST in the clear/);
  });

  it('a value-encrypted .env beside a .env.enc is no plaintext twin: a warning that two encrypted copies will drift, not an error', async () => {
    const sealed = utf8(await sealValues('TOKEN=t\n', { format: 'dotenv', recipients: [alice.publicKey], backend }));
    const paths = new Set(['.env', '.env.enc']);
    // .env staged, .env.enc already committed.
    const staged = await checkStagedFiles({ ...input([{ path: '.env', content: sealed }]), indexPaths: paths });
    assert.deepEqual(staged.map((f) => [f.rule, f.severity]), [['plaintext-twin', 'warning']]);
    assert.match(staged[0].message, /\.env is value-encrypted, and \.env\.enc beside it is another encrypted copy/);
    // .env.enc staged (its bytes do not matter here), .env committed: judged by the indexed bytes of .env.
    const enc = { path: '.env.enc' };
    const sealedTwin = await checkStagedFiles({ ...input([enc]), indexPaths: paths, twins: new Map([['.env', sealed]]) });
    assert.deepEqual(sealedTwin.map((f) => f.severity), ['warning']);
    const plainTwin = await checkStagedFiles({ ...input([enc]), indexPaths: paths, twins: new Map([['.env', utf8('TOKEN=t\n')]]) });
    assert.deepEqual(plainTwin.map((f) => [f.rule, f.severity]), [['plaintext-twin', 'error']]);
  });

  it('a decrypted copy named as Custodian names one (values.yaml.plaintext) beside the file it copies is refused (a red team committed it with git add -f)', async () => {
    const copy = { path: 'k8s/values.yaml.plaintext', content: utf8('db:\n  password: s3cr3t\n') };
    const findings = await checkStagedFiles({ ...input([copy]), indexPaths: new Set([copy.path, 'k8s/values.yaml']) });
    assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.message]), [['plaintext-twin', 'error', 'k8s/values.yaml.plaintext is named as Custodian names a decrypted copy of k8s/values.yaml (Decrypt Values to New File), which is committed beside it']]);
    // Without the file it would copy, a name ending in .plaintext is nobody's copy.
    assert.deepEqual(await checkStagedFiles(input([{ path: 'notes.plaintext', content: utf8('hello\n') }])), []);
  });
});
