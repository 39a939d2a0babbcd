// Names come from files anyone can commit: a roster file name or key comment with a bidi override or a
// terminal escape must not reorder or forge what the UI says about recipients and signers.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { getServices, scratchDir, sshKeygen, teamDir } from './support/custodian';

describe('display names from files', function () {
  this.timeout(60_000);
  const hostileName = 'mallory\u202egpj.exe';
  let rosterFile: string;

  before(() => {
    const key = sshKeygen(scratchDir(), `display-${Date.now()}`, 'ceo\u001b[2J (you)');
    fs.mkdirSync(teamDir(), { recursive: true });
    rosterFile = path.join(teamDir(), `${hostileName}.pub`);
    // A roster line without a comment: the file name is the teammate's name.
    fs.writeFileSync(rosterFile, `${key.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
  });

  after(() => fs.rmSync(rosterFile, { force: true }));

  it('a roster name with a bidi override is shown neutralized wherever a party is named', async () => {
    const services = await getServices();
    services.refresh();
    const members = await services.roster.members();
    const member = members.find((m) => m.name === hostileName);
    assert.ok(member, `the roster lists ${JSON.stringify(hostileName)}`);
    const known = await services.session.knownKeys();
    const party = services.session.party(member.key.fingerprint, known);
    assert.ok(!party.name.includes('\u202e'), JSON.stringify(party.name));
    assert.ok(party.name.startsWith('mallory'), party.name);
  });
});
