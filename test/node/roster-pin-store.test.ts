// The roster pin store (docs/ROSTER.md §6): where it lives, that it is private to the user, that a
// damaged store is reported rather than silently replaced, and the CI pins file format.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultPinStoreFile, PinStore, readPinsFile, rosterKey } from '../../src/node/roster-pin-store';

const A = `SHA256:${'A'.repeat(43)}`;
const B = `SHA256:${'B'.repeat(43)}`;

describe('node/roster-pin-store', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pins-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lives under XDG_CONFIG_HOME (else ~/.config, %APPDATA% on Windows), outside any repository', () => {
    assert.equal(defaultPinStoreFile({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/u'), path.join('/x/cfg', 'custodian', 'roster-pins.json'));
    assert.equal(defaultPinStoreFile({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/u'), path.join('/home/u', '.config', 'custodian', 'roster-pins.json'));
    assert.equal(defaultPinStoreFile({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'), path.join('C:\\Users\\u\\AppData\\Roaming', 'custodian', 'roster-pins.json'));
  });

  it('keeps each roster by its real path, written 0600; a damaged store is an error, left as it was', async () => {
    const store = new PinStore(path.join(dir, 'custodian', 'roster-pins.json'));
    const team = path.join(dir, 'repo', '.custodian', 'team');
    fs.mkdirSync(team, { recursive: true });
    fs.symlinkSync(path.join(dir, 'repo'), path.join(dir, 'link'));
    const key = await rosterKey(path.join(dir, 'link', '.custodian', 'team'));
    assert.equal(key, fs.realpathSync(team));
    await store.set(key, { members: { alice: A } });
    assert.deepEqual(await store.get(await rosterKey(team)), { members: { alice: A } });
    // A commit that makes .custodian/team (or .custodian) a link to another folder of keys does not make
    // a new roster: the same pins review what the link reaches.
    const elsewhere = path.join(dir, 'repo', 'keys');
    fs.mkdirSync(elsewhere);
    fs.renameSync(team, path.join(dir, 'repo', '.custodian', 'team-before'));
    fs.symlinkSync(elsewhere, team);
    assert.equal(await rosterKey(team), key, '.custodian/team a link');
    fs.rmSync(team);
    fs.renameSync(path.join(dir, 'repo', '.custodian'), path.join(dir, 'repo', 'custodian-elsewhere'));
    fs.symlinkSync(path.join(dir, 'repo', 'custodian-elsewhere'), path.join(dir, 'repo', '.custodian'));
    assert.equal(await rosterKey(team), key, '.custodian a link');
    assert.equal(await rosterKey(path.join(dir, 'other-team')), path.join(fs.realpathSync(dir), 'other-team'), 'a roster named with -R elsewhere: its folder, resolved');
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    fs.writeFileSync(store.file, '{"format": "custodian-roster-pins/1", "rosters": {"x": {"members": {"Alice (you)": "' + A + '"}}}}');
    const before = fs.readFileSync(store.file, 'utf8');
    await assert.rejects(store.set(key, { members: { alice: B } }), /not a valid pins entry/);
    assert.equal(fs.readFileSync(store.file, 'utf8'), before);
  });

  it('reads a CI pins file: NAME lines, @root, comments; refuses anything else naming the line', async () => {
    const file = path.join(dir, 'pins.txt');
    fs.writeFileSync(file, `# team\nalice ${A}\n\n@root ${B}\n`);
    assert.deepEqual(await readPinsFile(file), { root: B, members: { alice: A } });
    fs.writeFileSync(file, `alice ${A}\nbob MD5:00\n`);
    await assert.rejects(readPinsFile(file), /pins\.txt:2: expected "NAME SHA256:…"/);
    await assert.rejects(readPinsFile(path.join(dir, 'none.txt')), /does not exist/);
  });
});
