// Regenerates test/vectors/shamir/*.json (docs/SHAMIR.md). Run: npx tsx scripts/make-shamir-vectors.ts
// Randomness comes from a fixed SHA-256 counter stream, and the bytes each split consumed are stored
// in the vector, so an implementation reproduces the shares by reading them in the order SHAMIR.md gives.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64UrlEncode, concatBytes, hexEncode, utf8Encode } from '../src/core/bytes';
import { type Share, splitSecret, splitSecretRaw } from '../src/core/shamir';
import { encodeShareArmored, encodeShareText, encodeVaultShare, SHARE_TEXT_PREFIX } from '../src/core/share-encoding';

const OUT_DIR = join(__dirname, '..', 'test', 'vectors', 'shamir');

/** A deterministic byte stream SHA-256(seed || counter) that records what was read. */
function recordingStream(seed: string): { randomBytes: (n: number) => Uint8Array; consumed: () => string } {
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  const taken: Uint8Array[] = [];
  return {
    randomBytes(n: number): Uint8Array {
      while (pool.length < n) {
        const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
        pool = concatBytes(pool, new Uint8Array(block));
      }
      const out = pool.slice(0, n);
      pool = pool.slice(n);
      taken.push(out.slice());
      return out;
    },
    consumed: () => hexEncode(concatBytes(...taken)),
  };
}

interface SplitCase {
  name: string;
  secret: Uint8Array;
  threshold: number;
  shares: number;
}

const splitCases: SplitCase[] = [
  { name: 'one byte, 2 of 3', secret: Uint8Array.of(0x42), threshold: 2, shares: 3 },
  { name: 'text, 3 of 5', secret: utf8Encode('correct horse battery staple'), threshold: 3, shares: 5 },
  { name: '32-byte key, 4 of 4 (T = N)', secret: Uint8Array.from({ length: 32 }, (_, i) => i), threshold: 4, shares: 4 },
  { name: 'all-zero 16 bytes, 2 of 2', secret: new Uint8Array(16), threshold: 2, shares: 2 },
];

function makeSplitVectors(): { cases: object[]; made: Share[][] } {
  const made: Share[][] = [];
  const cases = splitCases.map((c) => {
    const stream = recordingStream(`custodian shamir vector: ${c.name}`);
    const shares = splitSecret(c.secret, { threshold: c.threshold, shares: c.shares, randomBytes: stream.randomBytes });
    made.push(shares);
    return {
      name: c.name,
      expect: 'success',
      secret: hexEncode(c.secret),
      threshold: c.threshold,
      shares: c.shares,
      random: stream.consumed(),
      setId: hexEncode(shares[0].setId),
      output: shares.map((s) => ({ index: s.index, value: hexEncode(s.value), text: encodeShareText(s), armored: encodeShareArmored(s) })),
    };
  });
  return { cases, made };
}

function makeRawVectors(): object[] {
  const rawCases: SplitCase[] = [
    { name: 'raw one byte, 2 of 3', secret: Uint8Array.of(0xa5), threshold: 2, shares: 3 },
    { name: 'raw 32-byte unseal-key-like, 3 of 5', secret: Uint8Array.from({ length: 32 }, (_, i) => 255 - i), threshold: 3, shares: 5 },
  ];
  return rawCases.map((c) => {
    const stream = recordingStream(`custodian shamir raw vector: ${c.name}`);
    const shares = splitSecretRaw(c.secret, { threshold: c.threshold, shares: c.shares, randomBytes: stream.randomBytes });
    return {
      name: c.name,
      expect: 'success',
      secret: hexEncode(c.secret),
      threshold: c.threshold,
      shares: c.shares,
      random: stream.consumed(),
      output: shares.map((s) => ({ x: s.x, y: hexEncode(s.y), vaultBase64: encodeVaultShare(s), vaultHex: encodeVaultShare(s, 'hex') })),
    };
  });
}

/** Encodes possibly invalid share fields (bypassing validation) with a correct checksum. */
function forgeText(fields: { version: number; setId: Uint8Array; threshold: number; total: number; index: number; value: Uint8Array }): string {
  const payload = concatBytes(Uint8Array.of(fields.version), fields.setId, Uint8Array.of(fields.threshold, fields.total, fields.index), fields.value);
  const check = new Uint8Array(createHash('sha256').update(payload).digest()).subarray(0, 4);
  return SHARE_TEXT_PREFIX + base64UrlEncode(concatBytes(payload, check));
}

/** `line` cut into lines of `width` characters, each after `indent`, as a mail client may wrap it. */
function wrapAt(line: string, width: number, indent: string): string {
  const out: string[] = [];
  for (let i = 0; i < line.length; i += width) out.push(indent + line.slice(i, i + width));
  return out.join('\n');
}

function flipChar(text: string, at: number): string {
  const c = text[at];
  return text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

function makeListVectors(made: Share[][]): object[] {
  const [, five, four] = made; // 'text, 3 of 5' and '32-byte key, 4 of 4'
  const t = five.map(encodeShareText);
  const corrupted = { ...five[1], value: five[1].value.slice() };
  corrupted.value[40] ^= 0x01;
  const armoredEdited = encodeShareArmored(five[2]).replace('Share: 3 of 5', 'Share: 4 of 5');
  const success = (name: string, input: string) => ({ name, expect: 'success', input, secret: hexEncode(utf8Encode('correct horse battery staple')) });
  const failure = (name: string, input: string, error: string, messageIncludes: string) => ({ name, expect: 'failure', input, error, messageIncludes });
  return [
    success('three one-line shares', [t[0], t[2], t[4]].join('\n')),
    success('CRLF, indentation and blank lines', `\r\n  ${t[4]}  \r\n\r\n\t${t[3]}\r\n${t[1]}\r\n\r\n`),
    success('armored and one-line mixed', encodeShareArmored(five[0]) + '\n' + t[1] + '\n\n' + encodeShareArmored(five[3])),
    success('all five shares', t.join('\n')),
    failure('typo in the second share', [t[0], flipChar(t[1], 30), t[2]].join('\n'), 'ShareFormatError', 'share 2 (line 2): checksum mismatch'),
    failure('share cut short', [t[0], t[1].slice(0, 60)].join('\n'), 'ShareFormatError', 'share 2 (line 2)'),
    failure('unknown line', [t[0], 'hello', t[1]].join('\n'), 'ShareFormatError', 'line 2'),
    failure('unsupported version', [t[0], forgeText({ ...five[1], version: 2 })].join('\n'), 'ShareFormatError', 'unsupported share version 2'),
    failure('edited armor header', [t[0], armoredEdited].join('\n'), 'ShareFormatError', 'share 2 (line 2): the armor headers do not match the encoded share (set '),
    failure('armored block without END', [t[0], encodeShareArmored(five[1]).replace(/-----END[^\n]*\n/, '')].join('\n'), 'ShareFormatError', 'has no "-----END'),
    failure('mixed sets', [t[0], encodeShareText(four[1]), t[2]].join('\n'), 'ShareCombineError', 'share 2 (index 2) belongs to a different share set'),
    failure('duplicate index', [t[0], t[2], t[0]].join('\n'), 'ShareCombineError', 'share 3 (index 1) repeats index 1 (also share 1)'),
    failure('too few shares', [t[0], t[3]].join('\n'), 'ShareCombineError', 'need 3 shares'),
    failure('altered value, threshold many', [t[0], forgeText(corrupted), t[2]].join('\n'), 'ShareCombineError', 'integrity check failed'),
    failure('altered value, one spare', [t[0], forgeText(corrupted), t[2], t[3]].join('\n'), 'ShareCombineError', 'share 2 (index 2) does not match the other shares'),
    // SHAMIR.md §5: wrapped one-line shares (continuation rule) and the exact armor header syntax.
    success('one-line shares wrapped at 72 and 76 columns, indented', [wrapAt(t[0], 72, ''), '', wrapAt(t[2], 76, '    '), wrapAt(t[4], 72, '\t')].join('\n')),
    success('armor header values with spaces around them', [t[0], encodeShareArmored(five[1]).replace('Share: 2 of 5, threshold 3', 'Share:   2 of 5, threshold 3 \t'), t[2]].join('\n')),
    failure('quoted one-line share', [t[0], `> ${t[1]}`, t[2]].join('\n'), 'ShareFormatError', 'line 2: quoted text'),
    failure('armor header with a leading zero', [t[0], encodeShareArmored(five[1]).replace('Share: 2 of 5', 'Share: 02 of 5')].join('\n'), 'ShareFormatError', 'malformed armor header "Share"'),
    failure('armor header with a double space', [t[0], encodeShareArmored(five[1]).replace('Share: 2 of 5', 'Share: 2  of 5')].join('\n'), 'ShareFormatError', 'malformed armor header "Share"'),
    failure(
      'threshold lowered on two shares',
      [forgeText({ ...five[0], threshold: 2 }), forgeText({ ...five[1], threshold: 2 })].join('\n'),
      'ShareCombineError',
      'integrity check failed',
    ),
  ];
}

function write(name: string, description: string, cases: object[]): void {
  writeFileSync(join(OUT_DIR, name), JSON.stringify({ description, spec: 'docs/SHAMIR.md', cases }, null, 2) + '\n');
}

mkdirSync(OUT_DIR, { recursive: true });
const { cases, made } = makeSplitVectors();
write('split.json', 'splitSecret with recorded randomness (read in the order of SHAMIR.md §3): exact share values, one-line and armored forms', cases);
write('raw-vault.json', 'splitSecretRaw with recorded randomness (SHAMIR.md §2) and the HashiCorp Vault layout base64/hex(y || x) (§8)', makeRawVectors());
write('lists.json', 'parseShares then combineShares on share lists (SHAMIR.md §5–§6): expect success (secret) or failure (error class, message fragment)', makeListVectors(made));
console.log(`wrote ${OUT_DIR}`);
