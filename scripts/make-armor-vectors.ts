// Writes test/vectors/armor/compact.json and selections.json (FORMAT.md §7.1–§7.2): run with
// `npx tsx scripts/make-armor-vectors.ts`. The compact token is encoded with Node's Buffer (not our
// encoder); selection outputs come from src/core/selection-armor.ts with fixed "envelope" bytes.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { planSelection, sealedText, selectionClash } from '../src/core/selection-armor';
const env = JSON.parse(fs.readFileSync(join(__dirname, '..', 'test', 'vectors', 'envelope', 'short-armored.json'), 'utf8'));
const bytes = Buffer.from(env.armored.split('\n').filter((l: string) => l && !l.startsWith('-----')).join(''), 'base64');
const compact = 'custodian-enc1.' + bytes.toString('base64url');
const compactCases = {
  description: 'FORMAT.md §7.1 compact tokens. "success": the envelope vector short-armored (decrypts with alice.pem to plaintext) in compact form, encoded with Node\'s Buffer base64url. "failure": must be rejected with an ArmorError.',
  cases: [
    { name: 'short-armored', expect: 'success', identities: ['alice'], armored: env.armored, compact, plaintext: { hex: env.plaintext.hex } },
    { name: 'empty body', expect: 'failure', compact: 'custodian-enc1.' },
    { name: 'padding', expect: 'failure', compact: compact + '='.repeat((4 - ((compact.length - 15) % 4)) % 4 || 2) },
    { name: 'standard-base64 character', expect: 'failure', compact: compact.slice(0, 40) + '+' + compact.slice(41) },
    { name: 'impossible length', expect: 'failure', compact: 'custodian-enc1.' + 'A'.repeat(5) },
    { name: 'non-canonical last character', expect: 'failure', compact: 'custodian-enc1.AB' },
    { name: 'wrong prefix', expect: 'failure', compact: 'Custodian-enc1.' + compact.slice(15) },
  ],
};
fs.writeFileSync(join(__dirname, '..', 'test', 'vectors', 'armor', 'compact.json'), JSON.stringify(compactCases, null, 2) + '\n');

const sealed = Uint8Array.from({ length: 60 }, (_, i) => (i * 37 + 11) & 0xff);
/** A token and an armored block of `bytes` written with Node's Buffer (not our encoder), for texts that hold one already. */
const compactOf = (bytes: Uint8Array): string => 'custodian-enc1.' + Buffer.from(bytes).toString('base64url');
const armoredOf = (bytes: Uint8Array): string =>
  `-----BEGIN CUSTODIAN ENCRYPTED FILE-----\n${Buffer.from(bytes).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CUSTODIAN ENCRYPTED FILE-----\n`;
const sel = (name: string, text: string, selected: string, eol: '\n' | '\r\n' = '\n', syntax?: 'json' | 'toml') => {
  const start = text.indexOf(selected);
  const end = start + selected.length;
  try {
    const plan = planSelection(text, start, end, syntax);
    const clash = selectionClash(text, [plan]);
    if (clash) return { name, expect: 'refused', ...(syntax ? { syntax } : {}), text, selection: [start, end], error: `§7.2 rule 4: ${clash.problem}` };
    const out = text.slice(0, plan.start) + sealedText(plan, sealed, eol) + text.slice(plan.end);
    return { name, expect: 'success', ...(syntax ? { syntax } : {}), text, selection: [start, end], form: plan.form, plaintext: plan.plaintext, output: out };
  } catch (e) {
    return { name, expect: 'refused', ...(syntax ? { syntax } : {}), text, selection: [start, end], error: (e as Error).message };
  }
};
const selectionCases = {
  description: 'FORMAT.md §7.2: Encrypt Selection of text[selection[0], selection[1]) (in a file of `syntax` when given) when the envelope is the 60 bytes of sealed_hex; "output" is the whole text after, "plaintext" what is encrypted. Decrypt in Place of the output gives back "text". "refused": nothing may change.',
  sealed_hex: Buffer.from(sealed).toString('hex'),
  cases: [
    sel('YAML plain value', 'db:\n  password: pl41n-v4lue-19chars\nnext: 1\n', 'pl41n-v4lue-19chars'),
    sel('YAML double-quoted value with its quotes', 'key: "s3cret"\n', '"s3cret"'),
    sel('.env value inside a URL', 'DATABASE_URL=postgres://app:pw@db:5432/app\n', 'pw'),
    sel('JSON string content, CRLF file', '{\r\n  "k": "v\\"x"\r\n}\r\n', 'v\\"x', '\r\n'),
    sel('whole lines of a YAML block scalar, from column 0', 'key: |\n    line-1\n\n    line-2\nnext: 1\n', '    line-1\n\n    line-2\n'),
    sel('whole lines, CRLF, ending at a line end', 'a:\r\n  x\r\n  y\r\nb: 1\r\n', '  x\r\n  y', '\r\n'),
    sel('one whole line with its line break: block', 'a:\n  secret\nb: 1\n', '  secret\n'),
    sel('one line without its line break: compact', 'a:\n  secret\nb: 1\n', '  secret'),
    sel('whole lines a line less indented: compact', '  a\nb\n', '  a\nb\n'),
    sel('ends inside a word', 'token-abc_def\n', 'token'),
    sel('empty quoted string', 'a: ""\n', '""'),
    sel('JSON: a number', '{"port": 5432}', '5432', '\n', 'json'),
    sel('JSON: inside a string, after a comment with a quote', '{"a": /* " */ "s3cret"}', 's3cret', '\n', 'json'),
    sel('TOML: a multi-line basic string', 'c = """\nmulti\nline\n"""\n', 'multi\nline', '\n', 'toml'),
    sel('TOML: whole lines', 'a = "x"\nb = "y"\n', 'a = "x"\nb = "y"\n', '\n', 'toml'),
    sel('whole lines holding a lone CR: compact', 'a:\n  x\r  y\n  z\n\nb: 1\n', '  x\r  y\n  z\n'),
    sel('starts where a token ends: refused', `URL=postgres://app:${compactOf(sealed)}@db.internal/prod\n`, '@db.internal'),
    sel('right after an END marker on its line: refused', `k: |\n  ${armoredOf(sealed).replace(/\n(?!$)/g, '\n  ').trimEnd()}tail\n`, 'tail'),
  ],
};
fs.writeFileSync(join(__dirname, '..', 'test', 'vectors', 'armor', 'selections.json'), JSON.stringify(selectionCases, null, 2) + '\n');
