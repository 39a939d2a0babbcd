// Regenerates test/vectors/roster/*.json (docs/ROSTER.md). Run: npx tsx scripts/make-roster-vectors.ts [--all]
// Keys are the envelope vectors' alice, bob, carol (2048) and dave (3072); RSA-PSS signatures are
// randomized, so a vector whose case is unchanged (description, entries, expected outcome) is kept
// byte for byte, and only new or changed cases are written.
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrivateKey, type RsaPrivateKey } from '../src/core/keys';
import { createRecord, rootIdOf, type RecordBody } from '../src/core/roster-records';
import { createNodeCryptoBackend } from '../src/node/node-crypto-backend';

const KEYS = join(__dirname, '..', 'test', 'vectors', 'envelope');
const OUT_DIR = join(__dirname, '..', 'test', 'vectors', 'roster');
const backend = createNodeCryptoBackend();
/** `--all`: rewrite every vector (after a change to what records hold or what their signatures cover). */
const REWRITE_ALL = process.argv.includes('--all');

type Who = 'alice' | 'bob' | 'carol' | 'dave';
interface Expect {
  status: 'verified' | 'unverified' | 'broken';
  /** verified: the signer's name, or null for a root member. */
  by?: string | null;
  /** verified: added as a deploy key (it reads; its signature vouches for no one). */
  deploy?: true;
}

async function main(): Promise<void> {
  const k = {} as Record<Who, RsaPrivateKey>;
  for (const [who, file] of [['alice', 'alice.pem'], ['bob', 'bob.pem'], ['carol', 'carol.pem'], ['dave', 'dave3072.pem']] as const) {
    k[who] = await parsePrivateKey(readFileSync(join(KEYS, file), 'utf8'));
  }
  const fp = (who: Who): string => k[who].publicKey.fingerprint;
  const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));
  let seq = 0;
  // Every record but a root names the root of its roster (§3): the last root made, as the cases below
  // make each case's root before its records.
  let rootId = '';
  const rec = async (body: RecordBody, signer: Who, minute: number) => ({
    file: body.op === 'root' ? 'records/root.json' : `records/${String(++seq).padStart(2, '0')}-${body.op}-${body.name}.json`,
    text: await createRecord(body, k[signer], at(minute), backend, body.op === 'root' ? undefined : rootId),
  });
  const root = async (members: Who[], signer: Who = members[0]) => {
    const r = await rec({ op: 'root', members: members.map((m) => ({ name: m, fingerprint: fp(m) })) }, signer, 0);
    rootId = await rootIdOf(r, backend);
    return r;
  };
  const add = (name: string, key: Who, signer: Who, minute: number) => rec({ op: 'add', name, fingerprint: fp(key) }, signer, minute);
  const remove = (name: string, key: Who, signer: Who, minute: number) => rec({ op: 'remove', name, fingerprint: fp(key) }, signer, minute);
  const deploy = (name: string, key: Who, signer: Who, minute: number) => rec({ op: 'deploy', name, fingerprint: fp(key) }, signer, minute);
  const entries = (pairs: [string, Who][]) => pairs.map(([name, who]) => ({ name, key: fp(who) }));

  const cases: Record<string, { description: string; entries: { name: string; key: string }[]; root: unknown; records: unknown[]; expect: { signed: boolean; entries: Record<string, Expect>; problems: number } }> = {};
  const put = (name: string, c: (typeof cases)[string]) => (cases[name] = c);

  put('plain', { description: 'No records: every entry is unverified.', entries: entries([['alice', 'alice'], ['bob', 'bob']]), root: null, records: [], expect: { signed: false, entries: { alice: { status: 'unverified' }, bob: { status: 'unverified' } }, problems: 0 } });
  put('root-only', { description: 'The root lists alice and bob, signed by alice.', entries: entries([['alice', 'alice'], ['bob', 'bob']]), root: await root(['alice', 'bob']), records: [], expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: null } }, problems: 0 } });
  put('chain', {
    description: 'alice (root) adds bob, bob adds carol: carol is verified by bob.',
    entries: entries([['alice', 'alice'], ['bob', 'bob'], ['carol', 'carol']]),
    root: await root(['alice']),
    records: [await add('bob', 'bob', 'alice', 1), await add('carol', 'carol', 'bob', 2)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: 'alice' }, carol: { status: 'verified', by: 'bob' } }, problems: 0 },
  });
  put('chain-out-of-order', {
    description: 'carol was signed by bob before alice added bob: no chain at that time.',
    entries: entries([['alice', 'alice'], ['bob', 'bob'], ['carol', 'carol']]),
    root: await root(['alice']),
    records: [await add('carol', 'carol', 'bob', 1), await add('bob', 'bob', 'alice', 2)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: 'alice' }, carol: { status: 'unverified' } }, problems: 0 },
  });
  put('key-swap', { description: "bob.pub holds carol's key: not the key signed for bob.", entries: entries([['alice', 'alice'], ['bob', 'carol']]), root: await root(['alice', 'bob']), records: [], expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'broken' } }, problems: 0 } });
  put('key-rotation', {
    description: "alice signs bob's new key (dave's): the new key is verified.",
    entries: entries([['alice', 'alice'], ['bob', 'dave']]),
    root: await root(['alice', 'bob']),
    records: [await add('bob', 'dave', 'alice', 1)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: 'alice' } }, problems: 0 },
  });
  put('unsigned-newcomer', { description: 'dave.pub has no record.', entries: entries([['alice', 'alice'], ['dave', 'dave']]), root: await root(['alice']), records: [], expect: { signed: true, entries: { alice: { status: 'verified', by: null }, dave: { status: 'unverified' } }, problems: 0 } });
  put('signed-by-outsider', {
    description: 'dave is signed by carol, who is not a member.',
    entries: entries([['alice', 'alice'], ['dave', 'dave']]),
    root: await root(['alice']),
    records: [await add('dave', 'dave', 'carol', 1)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, dave: { status: 'unverified' } }, problems: 0 },
  });
  const forgedRoot = await root(['alice']);
  const genuine = await add('carol', 'carol', 'alice', 1);
  const forgedJson = JSON.parse(genuine.text) as Record<string, string>;
  put('forged-signature', {
    description: "A record alice signed for carol, edited to name dave's key (the signature no longer covers it).",
    entries: entries([['alice', 'alice'], ['carol', 'dave']]),
    root: forgedRoot,
    records: [{ file: genuine.file, text: JSON.stringify({ ...forgedJson, key: fp('dave') }, null, 2) + '\n' }],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, carol: { status: 'broken' } }, problems: 1 },
  });
  put('removal-reverted', {
    description: 'alice removed bob (signed); bob.pub is back without a new addition.',
    entries: entries([['alice', 'alice'], ['bob', 'bob']]),
    root: await root(['alice', 'bob']),
    records: [await remove('bob', 'bob', 'alice', 1)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'broken' } }, problems: 0 },
  });
  put('removed-then-readded', {
    description: 'alice removed bob, then added him again (signed): verified.',
    entries: entries([['alice', 'alice'], ['bob', 'bob']]),
    root: await root(['alice', 'bob']),
    records: [await remove('bob', 'bob', 'alice', 1), await add('bob', 'bob', 'alice', 2)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: 'alice' } }, problems: 0 },
  });
  put('removed-signer', {
    description: 'bob signs carol after alice removed bob: the signature does not count.',
    entries: entries([['alice', 'alice'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await remove('bob', 'bob', 'alice', 1), await add('carol', 'carol', 'bob', 2)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, carol: { status: 'unverified' } }, problems: 0 },
  });
  put('removed-signer-backdated', {
    description: 'After alice removed bob (minute 3), bob signs carol in dated minute 2, when he was a member: a signed-out member vouches for nothing, whatever the date.',
    entries: entries([['alice', 'alice'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await remove('bob', 'bob', 'alice', 3), await add('carol', 'carol', 'bob', 2)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, carol: { status: 'unverified' } }, problems: 0 },
  });
  put('removed-signer-backdated-rotation', {
    description: "bob, removed by alice (minute 3) under his old key, signs a new key for himself (dave's) dated minute 2: the removal named the old key, and still the new one is not verified.",
    entries: entries([['alice', 'alice'], ['bob', 'dave']]),
    root: await root(['alice', 'bob']),
    records: [await add('bob', 'dave', 'bob', 2), await remove('bob', 'bob', 'alice', 3)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'unverified' } }, problems: 0 },
  });
  put('removed-signer-earlier-vouch', {
    description: 'bob signed carol in, then alice removed bob: carol is unverified until a present member signs her again (a record of a removed member cannot be told from one dated back).',
    entries: entries([['alice', 'alice'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await add('carol', 'carol', 'bob', 1), await remove('bob', 'bob', 'alice', 2)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, carol: { status: 'unverified' } }, problems: 0 },
  });
  put('removed-signer-vouched-again', {
    description: 'bob signed carol in, alice removed bob, then alice signed carol again: carol is verified by alice.',
    entries: entries([['alice', 'alice'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await add('carol', 'carol', 'bob', 1), await remove('bob', 'bob', 'alice', 2), await add('carol', 'carol', 'alice', 3)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, carol: { status: 'verified', by: 'alice' } }, problems: 0 },
  });
  put('removed-then-readded-vouches', {
    description: 'alice removed bob, added him again, and bob then signs carol in: bob counts again, carol is verified by bob.',
    entries: entries([['alice', 'alice'], ['bob', 'bob'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await remove('bob', 'bob', 'alice', 1), await add('bob', 'bob', 'alice', 2), await add('carol', 'carol', 'bob', 3)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: 'alice' }, carol: { status: 'verified', by: 'bob' } }, problems: 0 },
  });
  put('removed-signer-readded-by-own-chain', {
    description: 'bob signed carol in, alice removed bob, and carol signs bob back in: bob and carol vouch only for each other, neither is verified.',
    entries: entries([['alice', 'alice'], ['bob', 'bob'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await add('carol', 'carol', 'bob', 1), await remove('bob', 'bob', 'alice', 2), await add('bob', 'bob', 'carol', 3)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'unverified' }, carol: { status: 'unverified' } }, problems: 0 },
  });
  const realRoot = await root(['alice', 'bob']);
  put('root-forged', {
    description: 'The root was edited to list carol instead of bob after alice signed it.',
    entries: entries([['alice', 'alice'], ['carol', 'carol']]),
    root: { ...realRoot, text: realRoot.text.replace(`"name": "bob"`, `"name": "carol"`).replace(fp('bob'), fp('carol')) },
    records: [],
    expect: { signed: false, entries: { alice: { status: 'broken' }, carol: { status: 'broken' } }, problems: 1 },
  });
  put('root-signer-not-member', {
    description: 'A root signed by carol that lists only alice and bob.',
    entries: entries([['alice', 'alice'], ['bob', 'bob']]),
    root: await root(['alice', 'bob'], 'carol'),
    records: [],
    expect: { signed: false, entries: { alice: { status: 'broken' }, bob: { status: 'broken' } }, problems: 1 },
  });
  put('member-file-missing', { description: 'bob is signed in, bob.pub is gone, no removal.', entries: entries([['alice', 'alice']]), root: await root(['alice', 'bob']), records: [], expect: { signed: true, entries: { alice: { status: 'verified', by: null } }, problems: 1 } });
  put('malformed-record', {
    description: 'A record that is not JSON is a problem, never skipped silently.',
    entries: entries([['alice', 'alice']]),
    root: await root(['alice']),
    records: [{ file: 'records/99-add-x.json', text: '{"format": "custodian-roster-record/1", "op": ' }],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null } }, problems: 1 },
  });
  put('bad-name-in-record', {
    description: 'A record naming "alice (you)" is refused (names: docs/ROSTER.md §2).',
    entries: entries([['alice', 'alice']]),
    root: await root(['alice']),
    records: [{ file: 'records/98-add.json', text: (await add('alicex', 'bob', 'alice', 1)).text.replace('"alicex"', '"alice (you)"') }],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null } }, problems: 1 },
  });

  put('deploy-key', {
    description: 'alice adds ci as a deploy key: verified, marked deploy.',
    entries: entries([['alice', 'alice'], ['ci', 'dave']]),
    root: await root(['alice']),
    records: [await deploy('ci', 'dave', 'alice', 1)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, ci: { status: 'verified', by: 'alice', deploy: true } }, problems: 0 },
  });
  put('deploy-key-cannot-vouch', {
    description: 'ci, a deploy key, signs an addition of carol and a removal of bob: neither counts, and each is a problem.',
    entries: entries([['alice', 'alice'], ['bob', 'bob'], ['ci', 'dave'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: [await deploy('ci', 'dave', 'alice', 1), await add('carol', 'carol', 'dave', 2), await remove('bob', 'bob', 'dave', 3)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: null }, ci: { status: 'verified', by: 'alice', deploy: true }, carol: { status: 'unverified' } }, problems: 2 },
  });
  put('deploy-key-made-member', {
    description: 'alice adds ci as a deploy key, then signs it as a member: it vouches from then on.',
    entries: entries([['alice', 'alice'], ['ci', 'dave'], ['carol', 'carol']]),
    root: await root(['alice']),
    records: [await deploy('ci', 'dave', 'alice', 1), await add('ci', 'dave', 'alice', 2), await add('carol', 'carol', 'dave', 3)],
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, ci: { status: 'verified', by: 'alice' }, carol: { status: 'verified', by: 'ci' } }, problems: 0 },
  });

  // Records copied from another roster alice roots too (another repository): bound to its root, not this one.
  await root(['alice', 'dave']);
  const replayed = [await add('carol', 'carol', 'alice', 1), await remove('bob', 'bob', 'alice', 2)];
  put('record-from-another-roster', {
    description: "alice's signed addition of carol and removal of bob, copied from another roster alice also signs: they count for nothing here (carol unverified, bob still verified), and each is a problem.",
    entries: entries([['alice', 'alice'], ['bob', 'bob'], ['carol', 'carol']]),
    root: await root(['alice', 'bob']),
    records: replayed,
    expect: { signed: true, entries: { alice: { status: 'verified', by: null }, bob: { status: 'verified', by: null }, carol: { status: 'unverified' } }, problems: 2 },
  });

  mkdirSync(OUT_DIR, { recursive: true });
  let written = 0;
  for (const [name, c] of Object.entries(cases)) {
    const file = join(OUT_DIR, `${name}.json`);
    const same = (a: (typeof cases)[string]) => JSON.stringify([a.description, a.entries, a.expect]);
    if (!REWRITE_ALL && existsSync(file) && same(JSON.parse(readFileSync(file, 'utf8')) as (typeof cases)[string]) === same(c)) continue;
    writeFileSync(file, JSON.stringify(c, null, 2) + '\n');
    written++;
  }
  console.log(`wrote ${written} of ${Object.keys(cases).length} vectors to ${OUT_DIR} (the others are unchanged)`);
}

void main();
