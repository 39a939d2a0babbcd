// Regenerates test/vectors/values/*.json (docs/VALUES.md) from the envelope's fixed keys and fixed
// randomness. Run: npx tsx scripts/make-values-vectors.ts
// Deterministic: test/core/values-vectors.test.ts re-seals every reproducible positive vector with each
// backend and compares text. Negative vectors are positive ones with one edit, named in `description`.
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlDecode, base64UrlEncode } from '../src/core/bytes';
import { openValues, sealValues, type SelectionRule, type ValuesFormatName } from '../src/core/values';
import { valuesFormat } from '../src/core/values-formats';
import { deriveMacKey, macInput, parseMetadataLines, type MacLeaf } from '../src/core/values-metadata';
import { OAEP_LABEL } from '../src/core/envelope-header';
import { createNobleBackend } from '../test/helpers/noble-backend';
import { withInjectedRandomness } from '../test/helpers/seeded-rsa';
import { deterministicRandom, loadKey, type KeyName } from '../test/core/envelope-fixtures';

const DIR = join(__dirname, '..', 'test', 'vectors', 'values');

type Expect = 'success' | 'value failure' | 'mac failure' | 'format error' | 'bad signature' | 'no match' | 'unsupported version' | 'weak key';

interface Sealed {
  name: string;
  seed: string;
  format: ValuesFormatName;
  recipients: KeyName[];
  signer?: KeyName;
  rule?: string;
  document: string;
  text: string;
}

const vectors: Record<string, unknown>[] = [];

function ruleOf(text?: string): SelectionRule | undefined {
  if (!text) return undefined;
  const [kind, arg] = [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)];
  return kind === 'unencrypted-suffix' ? { kind, suffix: arg } : { kind: 'unencrypted-regex', regex: arg };
}

async function make(name: string, format: ValuesFormatName, document: string, recipients: KeyName[], signer?: KeyName, rule?: string): Promise<Sealed> {
  const seed = `custodian values vector ${name}`;
  const backend = withInjectedRandomness(createNobleBackend(), deterministicRandom(seed));
  const text = await sealValues(document, { format, recipients: recipients.map((r) => loadKey(r).publicKey), signer: signer ? loadKey(signer) : undefined, backend, rule: ruleOf(rule) });
  return { name, seed, format, recipients, signer, rule, document, text };
}

function emit(name: string, description: string, expect: Expect, format: ValuesFormatName, identities: KeyName[], file: string, extra: Record<string, unknown> = {}): void {
  vectors.push({ name, description, expect, format, identities, file, ...extra });
}

function success(s: Sealed, description: string, identities: KeyName[], file = s.text, name = s.name, document = s.document, reproducible = true): void {
  emit(name, description, 'success', s.format, identities, file, {
    document,
    signer: s.signer ? loadKey(s.signer).publicKey.fingerprint : 'unsigned',
    ...(reproducible ? { encrypt: { seed: s.seed, recipients: s.recipients, signer: s.signer, rule: s.rule } } : {}),
  });
}

/** Replaces the first occurrence of `from` (which must exist). */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`edit found nothing to replace: ${String(from)}`);
  return out;
}

function line(text: string, prefix: string): string {
  const found = text.split('\n').find((l) => l.startsWith(prefix));
  if (found === undefined) throw new Error(`no line starting ${prefix}`);
  return found;
}

function token(text: string, key: string): string {
  const m = new RegExp(`^(?:export )?${key}=(custodian-val1\\.[A-Za-z0-9_-]+)`, 'm').exec(text);
  if (!m) throw new Error(`no token for ${key}`);
  return m[1];
}

/**
 * A recipient's forgery: recomputes the MAC of an edited dotenv file with the data key (the generator
 * draws it first from the seed, as sealValues does), keeping the file unsigned. For vectors whose point
 * is a check after the MAC. `rawClearValues`: as a writer before §7's line-break rule computed it.
 */
function remac(s: Sealed, text: string, options: { rawClearValues?: boolean } = {}): string {
  const format = valuesFormat(s.format);
  const { document, lines } = format.split(text);
  const meta = parseMetadataLines(lines!);
  const leaves: MacLeaf[] = format.leaves(document).map((l) => {
    const raw = document.slice(l.start, l.end);
    const t = format.tokenIn(raw);
    return t ? { path: l.path, encrypted: true, value: t } : { path: l.path, encrypted: false, value: raw };
  });
  const dataKey = deterministicRandom(s.seed)(32);
  const mac = hmac(sha256, deriveMacKey(dataKey, meta.salt), macInput(meta.signedLines, leaves, meta.version === 1 ? undefined : document, options));
  return edit(text, /^#custodian:mac=.*$/m, `#custodian:mac=${base64UrlEncode(mac)}`);
}

async function main(): Promise<void> {
  const env = await make('dotenv-signed', 'dotenv', '# database\nDB_HOST=db.internal\nDB_PASSWORD="s3cr3t pass" # rotate monthly\nexport API_KEY=abc123\n\nEMPTY=\n', ['alice', 'bob'], 'carol');
  const envPlain = await make('dotenv-unsigned', 'dotenv', 'A=1\nB=2\nC=3\n', ['alice']);
  const envRule = await make('dotenv-unencrypted-suffix', 'dotenv', 'API_URL_PUBLIC=https://api.example.com\nAPI_TOKEN=t0ken\n', ['alice'], undefined, 'unencrypted-suffix:_PUBLIC');
  const envNoEol = await make('dotenv-no-final-newline', 'dotenv', 'ONLY=value', ['bob']);
  const envCrlf = await make('dotenv-crlf', 'dotenv', 'A=1\r\n# comment\r\nB=\'two\'\r\n', ['alice']);
  const json = await make('json-nested', 'json', '{\n  "name": "app",\n  "port": 8080,\n  "db": {\n    "password": "p\\u00e4ss",\n    "hosts": ["a", "b"],\n    "ssl": true,\n    "ca": null\n  }\n}\n', ['alice', 'bob'], 'alice');
  const jsonEmpty = await make('json-empty-object', 'json', '{}', ['alice']);
  const jsonRegex = await make('json-unencrypted-regex', 'json', '{"public": {"url": "https://x"}, "secret": "s"}', ['alice'], undefined, 'unencrypted-regex:^public$');
  const yaml = await make('yaml-comments-and-blocks', 'yaml', '# service config\nservice:\n  name: web # the name\n  key: |\n    -----BEGIN KEY-----\n    abc\n    -----END KEY-----\n  ports: [80, 443]\n  shared_public: &a shared\n  alias: *a\n  empty:\n', ['alice', 'bob'], 'bob', 'unencrypted-suffix:_public');
  const yamlMulti = await make('yaml-two-documents', 'yaml', 'a: one\n---\na: two\n', ['alice']);

  success(env, 'dotenv, two recipients, signed by carol, opened by bob: comments, quotes, export and an empty value kept', ['bob']);
  success(envPlain, 'dotenv, unsigned', ['alice']);
  success(envRule, 'dotenv, rule unencrypted-suffix:_PUBLIC leaves API_URL_PUBLIC in the clear', ['alice']);
  success(envNoEol, 'dotenv without a final line break: eol=none', ['bob']);
  success(envCrlf, 'dotenv with CRLF line endings: the metadata lines use CRLF too', ['alice']);
  success(json, 'JSON: nested objects, an array, number, boolean, null and an escape; signed by alice', ['bob']);
  success(jsonEmpty, 'JSON: the empty object', ['alice']);
  success(jsonRegex, 'JSON, rule unencrypted-regex:^public$ leaves the public subtree in the clear', ['alice']);
  success(yaml, 'YAML: comments, a block scalar, a flow sequence, an anchor on a value left in the clear (rule unencrypted-suffix:_public) and an alias to it, an empty value; signed by bob', ['alice']);
  success(yamlMulti, 'YAML: two documents, equal keys in each (the path starts with the document index)', ['alice']);
  success(env, 'a full-line comment edited after sealing: full-line comments and blank lines are not authenticated (§7)', ['alice'], edit(env.text, '# database', '# the database'), 'dotenv-comment-edited', edit(env.document, '# database', '# the database'), false);
  success(env, 'line endings converted to CRLF (as git may on checkout) and a blank line added after sealing: the MAC covers lines without their line endings (§7)', ['bob'], env.text.replace(/\n/g, '\r\n').replace('\r\n\r\n', '\r\n\r\n\r\n'), 'dotenv-line-endings-converted', env.document.replace(/\n/g, '\r\n').replace('\r\n\r\n', '\r\n\r\n\r\n'), false);

  // A multi-line value left in the clear (a public certificate): its line breaks are not authenticated
  // either (§7), so git's line-ending conversion does not break the file (a red team's did).
  const envCert = await make('dotenv-clear-multiline', 'dotenv', 'CERT_PUBLIC="-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"\nAPI_TOKEN=t0ken\n', ['alice'], 'alice', 'unencrypted-suffix:_PUBLIC');
  const yamlCert = await make('yaml-clear-block', 'yaml', 'ca_public: |\n  -----BEGIN CERTIFICATE-----\n  MIIBszCCAVmgAwIBAgIU\n  -----END CERTIFICATE-----\ntoken: t0ken\n', ['alice'], 'alice', 'unencrypted-suffix:_public');
  const crlf = (text: string): string => text.replace(/\n/g, '\r\n');
  success(envCert, 'dotenv, a multi-line value left in the clear (rule unencrypted-suffix:_PUBLIC); signed by alice', ['alice']);
  success(envCert, 'the same file with its line endings converted to CRLF after sealing, inside the multi-line value left in the clear too: a value in the clear is covered with its line breaks made LF (§7)', ['alice'], crlf(envCert.text), 'dotenv-clear-multiline-line-endings-converted', crlf(envCert.document), false);
  success(yamlCert, 'YAML, a block scalar left in the clear (rule unencrypted-suffix:_public); signed by alice', ['alice']);
  success(yamlCert, 'the same file with its line endings converted to CRLF after sealing, inside the block scalar too (§7)', ['alice'], crlf(yamlCert.text), 'yaml-clear-block-line-endings-converted', crlf(yamlCert.document), false);
  emit('dotenv-clear-multiline-edited', 'a line of the multi-line value left in the clear edited: its text is authenticated, only its line breaks are not', 'mac failure', 'dotenv', ['alice'], edit(envCert.text, 'MIIBszCCAVmgAwIBAgIU', 'MIIBszCCAVmgAwIBAgIV'));
  const envCertCrlf = await make('dotenv-clear-multiline-crlf', 'dotenv', crlf('CERT_PUBLIC="-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"\nAPI_TOKEN=t0ken\n'), ['alice'], undefined, 'unencrypted-suffix:_PUBLIC');
  success(envCertCrlf, 'a CRLF file with a multi-line value left in the clear, unsigned, its MAC as a writer before §7\'s line-break rule computed it (over the value as written, CRs included): still read (§9)', ['alice'], remac(envCertCrlf, envCertCrlf.text, { rawClearValues: true }), 'dotenv-clear-multiline-crlf-raw-mac', envCertCrlf.document, false);

  // Tampering with values (§6).
  const [a, b] = [token(envPlain.text, 'A'), token(envPlain.text, 'B')];
  emit('swap-two-tokens', 'the tokens of A and B swapped', 'value failure', 'dotenv', ['alice'], envPlain.text.replace(a, '@').replace(b, a).replace('@', b));
  emit('move-token-to-other-key', "B's token replaced by A's (A's value copied to B)", 'value failure', 'dotenv', ['alice'], envPlain.text.replace(b, a));
  emit('token-from-other-file', "A's token taken from another file sealed to the same key (dotenv-unencrypted-suffix's API_TOKEN)", 'value failure', 'dotenv', ['alice'], envPlain.text.replace(a, token(envRule.text, 'API_TOKEN')));
  emit('token-bit-flip', "one character of C's token changed", 'value failure', 'dotenv', ['alice'], edit(envPlain.text, /^C=custodian-val1\.(.)/m, (token(envPlain.text, 'C')[15] === 'A' ? 'C=custodian-val1.B' : 'C=custodian-val1.A')));
  const jsonDb = /"password": "(custodian-val1\.[^"]+)"/.exec(json.text)![1];
  const jsonPort = /"port": "(custodian-val1\.[^"]+)"/.exec(json.text)![1];
  emit('json-move-token', 'JSON: db.password\'s token moved to port', 'value failure', 'json', ['alice'], json.text.replace(jsonPort, jsonDb));
  const [y1, y2] = [...yamlMulti.text.matchAll(/a: (custodian-val1\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
  // §3: an alias is not sealed, so one that copies an encrypted value is refused (here added by someone who can commit).
  const nameToken = /name: (custodian-val1\.[A-Za-z0-9_-]+)/.exec(yaml.text)![1];
  emit('yaml-alias-copies-secret', 'YAML: an anchor added to the token of service.name and an alias to it added at service.leaked', 'format error', 'yaml', ['alice'],
    edit(yaml.text.replace(`name: ${nameToken}`, `name: &s ${nameToken}`), '  empty:\n', '  leaked: *s\n  empty:\n'));
  // The document's structure (§7): what is not a leaf but changes what a program reads.
  emit('inline-comment-edited', 'the comment after DB_PASSWORD\'s value edited: a comment on a line with content is part of that line (§7)', 'mac failure', 'dotenv', ['bob'], edit(env.text, '# rotate monthly', '# rotate yearly'));
  emit('json-duplicate-member', 'JSON: a second member "db" with an empty object added after the first (a reader keeping the last would lose db): refused (§3)', 'format error', 'json', ['bob'], edit(json.text, /\n {2}\}/, '\n  },\n  "db": {}'));
  emit('yaml-empty-collection-added', 'YAML: a key with an empty mapping added (service.allow: {})', 'mac failure', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  allow: {}\n  empty:\n'));
  emit('yaml-alias-added', 'YAML: an alias to the value left in the clear added at service.copy_public (version 1 accepted it: v1/v1-yaml-alias-added)', 'mac failure', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  copy_public: *a\n  empty:\n'));
  emit('yaml-alias-behind-cr', 'YAML: "#", a lone CR and "    *a" added after service.empty: to YAML 1.2 the CR ends the comment, so service.empty becomes an alias to "shared"; §7 splits lines at CR too, so "    *a" is covered (a reader accepts the CR in a comment line, §3)', 'mac failure', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  empty:\n#\r    *a\n'));
  emit('yaml-anchor-behind-line-separator', 'YAML: U+0085 and "#x" appended to the anchor of service.shared_public: the MAC would drop "#x" as a comment piece (§7), YAML 1.2 reads another anchor name; §3 refuses the break on a line that is not a comment', 'format error', 'yaml', ['alice'], edit(yaml.text, /(\n {2}shared_public: &a) /, '$1\u0085#x '));
  emit('yaml-comment-under-block-token', 'YAML: "    # injected" added under the token of service.key, whose plaintext is a block scalar (|): a comment to the sealed file, outside the MAC (§7), but content of the block once opened; §9 step 8 finds the opened leaf longer than its plaintext', 'mac failure', 'yaml', ['alice'], edit(yaml.text, /(\n {2}key: custodian-val1\.\S+\n)/, '$1    # injected\n'));
  emit('yaml-alias-behind-line-separator', 'YAML: as yaml-alias-behind-cr with U+2028 instead of CR: a comment to YAML 1.2, a line break to YAML 1.1 readers of the decrypted file; §7 splits lines there too', 'mac failure', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  empty:\n#\u2028    *a\n'));
  emit('yaml-multi-line-key', 'YAML: a mapping key written as a block scalar over two lines added (§3 refuses it: a line of it starting with # would be a comment to the MAC)', 'format error', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  ? |\n    role\n    # admin\n  : *a\n  empty:\n'));
  emit('yaml-tag-added', 'YAML: the tag !!binary put before the token of service.key', 'mac failure', 'yaml', ['alice'], edit(yaml.text, /key: (?=custodian-val1\.)/, 'key: !!binary '));
  emit('yaml-empty-value-made-alias', 'YAML: the empty value service.empty replaced by an alias to the value left in the clear (a program now reads "shared" there, not null)', 'mac failure', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  empty: *a\n'));
  emit('yaml-keep-chomping', 'YAML: a block scalar with keep chomping (|+) added: its trailing blank lines are value but no line the MAC covers (§3 refuses it)', 'format error', 'yaml', ['alice'], edit(yaml.text, '  empty:\n', '  note_public: |+\n    kept\n\n  empty:\n'));
  emit('yaml-swap-between-documents', 'YAML: the tokens of a in document 0 and document 1 swapped', 'value failure', 'yaml', ['alice'], yamlMulti.text.replace(y1, '@').replace(y2, y1).replace('@', y2));

  // Tampering with entries (§7).
  const lines = envPlain.text.split('\n');
  emit('delete-a-line', 'the line B=… deleted', 'mac failure', 'dotenv', ['alice'], lines.filter((l) => !l.startsWith('B=')).join('\n'));
  emit('duplicate-a-line', 'the line A=… repeated', 'format error', 'dotenv', ['alice'], envPlain.text.replace(/^(A=.*\n)/m, '$1$1'));
  emit('reorder-lines', 'the lines A=… and B=… swapped (each token still at its key)', 'mac failure', 'dotenv', ['alice'], [lines[1], lines[0], ...lines.slice(2)].join('\n'));
  emit('add-a-line', 'a line D=plain added', 'mac failure', 'dotenv', ['alice'], edit(envPlain.text, '#custodian:values', 'D=plain\n#custodian:values'));
  emit('plain-value-edited', 'the value left in the clear (API_URL_PUBLIC) edited', 'mac failure', 'dotenv', ['alice'], edit(envRule.text, 'https://api.example.com', 'https://evil.example.com'));
  emit('token-replaced-by-plaintext', "A's token replaced by a plain value", 'mac failure', 'dotenv', ['alice'], envPlain.text.replace(a, 'plain'));
  emit('plaintext-against-rule-remac', "A's token replaced by a plain value and the MAC recomputed with the data key (a recipient's forgery): the rule says A is encrypted", 'format error', 'dotenv', ['alice'],
    remac(envPlain, envPlain.text.replace(a, 'plain')));

  // Tampering with the metadata (§4, §7, §8).
  emit('metadata-rule-edited', 'encrypt=all changed to encrypt=unencrypted-suffix:A', 'mac failure', 'dotenv', ['alice'], edit(envPlain.text, 'encrypt=all', 'encrypt=unencrypted-suffix:A'));
  const bobLine = line(env.text, '#custodian:recipient=').length > 0 ? env.text.split('\n').filter((l) => l.startsWith('#custodian:recipient='))[1] : '';
  const bobParts = bobLine.split(':');
  const wrapped = base64UrlDecode(bobParts[2]);
  wrapped[100] ^= 1;
  emit('metadata-recipient-edited', "one byte of bob's wrapped key changed; alice opens (the MAC covers every recipient line)", 'mac failure', 'dotenv', ['alice'],
    env.text.replace(bobLine, `${bobParts[0]}:${bobParts[1]}:${base64UrlEncode(wrapped)}`));
  emit('metadata-recipient-edited-own', "one byte of bob's wrapped key changed; bob opens", 'no match', 'dotenv', ['bob'], env.text.replace(bobLine, `${bobParts[0]}:${bobParts[1]}:${base64UrlEncode(wrapped)}`));
  emit('metadata-entries-edited', 'entries=3 changed to entries=2', 'mac failure', 'dotenv', ['alice'], edit(envPlain.text, 'entries=3', 'entries=2'));
  emit('metadata-unknown-line', 'an unknown metadata line added before mac=', 'format error', 'dotenv', ['alice'], edit(envPlain.text, '#custodian:mac=', '#custodian:note=hello\n#custodian:mac='));
  emit('metadata-line-after-block', 'a non-metadata line after the block', 'format error', 'dotenv', ['alice'], `${envPlain.text}X=1\n`);
  emit('metadata-wrong-format', 'a dotenv file whose metadata says format=yaml', 'format error', 'dotenv', ['alice'], edit(envPlain.text, 'format=dotenv', 'format=yaml'));
  emit('unsupported-version', 'values=3', 'unsupported version', 'dotenv', ['alice'], edit(envPlain.text, 'values=2', 'values=3'));
  emit('no-match', 'carol is not a recipient', 'no match', 'dotenv', ['carol'], envPlain.text);
  emit('malformed-token', "A's token holds a character outside base64url", 'format error', 'dotenv', ['alice'], envPlain.text.replace(a, `${a.slice(0, 20)}*${a.slice(21)}`));
  emit('signature-stripped', 'the signature line removed', 'bad signature', 'dotenv', ['bob'], env.text.replace(/^#custodian:signature=.*\n/m, ''));
  const sig = line(env.text, '#custodian:signature=');
  emit('bad-signature', 'one character of the signature changed', 'bad signature', 'dotenv', ['bob'], env.text.replace(sig, sig.slice(0, 40) + (sig[40] === 'A' ? 'B' : 'A') + sig.slice(41)));
  emit('signer-replaced', "signer line replaced by alice's key (signature kept)", 'mac failure', 'dotenv', ['bob'], env.text.replace(line(env.text, '#custodian:signer='), `#custodian:signer=${base64UrlEncode(loadKey('alice').publicKey.spkiDer)}`));
  emit('signature-without-signer', "the signer line removed, the signature line kept", 'format error', 'dotenv', ['bob'], env.text.replace(/^#custodian:signer=.*\n/m, ''));
  emit('signer-and-signature-stripped', 'the signer and signature lines both removed', 'mac failure', 'dotenv', ['bob'], env.text.replace(/^#custodian:(signer|signature)=.*\n/gm, ''));
  const sigBytes = base64UrlDecode(sig.slice('#custodian:signature='.length));
  emit('signature-wrong-length', 'the signature one byte short, re-encoded as canonical base64url (§9 step 7)', 'bad signature', 'dotenv', ['bob'], env.text.replace(sig, `#custodian:signature=${base64UrlEncode(sigBytes.subarray(1))}`));
  emit('signature-malformed', 'a "=" appended to the signature line: not base64url, refused with the metadata (§9 step 1)', 'format error', 'dotenv', ['bob'], env.text.replace(sig, `${sig}=`));
  emit('signature-stripped-and-comment-edited', 'the signature line removed and the comment after DB_PASSWORD edited: the MAC (§9 step 5) is checked before the signature (step 7)', 'mac failure', 'dotenv', ['bob'],
    edit(env.text.replace(/^#custodian:signature=.*\n/m, ''), '# rotate monthly', '# rotate yearly'));
  emit('signer-weak-1024', 'the signer line holds a 1024-bit key', 'weak key', 'dotenv', ['bob'], env.text.replace(line(env.text, '#custodian:signer='), `#custodian:signer=${base64UrlEncode(loadKey('weak1024').publicKey.spkiDer)}`));

  // §9 step 3: the first identity whose stanza unwraps to 32 bytes gives the data key, MAC or not.
  const twoSeed = 'custodian values vector first-identity-unwraps-another-key';
  const two = await make('first-identity-unwraps-another-key', 'dotenv', 'A=1\nB=2\n', ['alice', 'bob']);
  const otherRandom = deterministicRandom(`${twoSeed} other key`);
  const otherKey = otherRandom(32);
  const aliceWrap = await withInjectedRandomness(createNobleBackend(), otherRandom).rsaOaepEncrypt(loadKey('alice').publicKey.spkiDer, otherKey, OAEP_LABEL);
  const aliceLine = two.text.split('\n').find((l) => l.startsWith('#custodian:recipient='))!;
  const swapped = remac(two, two.text.replace(aliceLine, `${aliceLine.slice(0, aliceLine.lastIndexOf(':') + 1)}${base64UrlEncode(aliceWrap)}`));
  emit('first-identity-unwraps-another-key', "alice's recipient line made to wrap another 32-byte key and the MAC recomputed with the data key (a recipient's forgery); opened with alice then bob: alice's unwrap gives 32 bytes, taken as the data key, the first token does not open with it, and bob is not tried (§9 step 3)", 'value failure', 'dotenv', ['alice', 'bob'], swapped);
  success(two, 'first-identity-unwraps-another-key opened with bob alone: the file is otherwise valid', ['bob'], swapped, 'first-identity-unwraps-another-key-bob', two.document, false);

  // Self-check: every vector behaves as it says with this implementation.
  const backend = createNobleBackend();
  for (const v of vectors) {
    const opened = await openValues(v.file as string, { format: v.format as ValuesFormatName, identities: (v.identities as KeyName[]).map(loadKey), backend }).then(
      (o) => ({ ok: o.document === v.document, err: undefined as Error | undefined }),
      (e: unknown) => ({ ok: false, err: e as Error }),
    );
    if ((v.expect === 'success') !== opened.ok) throw new Error(`vector ${String(v.name)}: expected ${String(v.expect)}, got ${opened.err ? `${opened.err.name}: ${opened.err.message}` : 'success'}`);
  }

  for (const f of readdirSync(DIR)) if (f.endsWith('.json')) unlinkSync(join(DIR, f));
  for (const v of vectors) writeFileSync(join(DIR, `${String(v.name)}.json`), `${JSON.stringify(v, null, 2)}\n`);
  console.log(`wrote ${vectors.length} vectors to ${DIR}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
