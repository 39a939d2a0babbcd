// The glue between the key stores and the envelope: who is who (roster, contacts, my keys, by
// fingerprint), who "the team" of a file is (its workspace folder's roster, plus me), which of my private
// keys can open a file, and who signs what I write (my default key). Private keys are read from
// SecretStorage per operation and zeroized after use; nothing is cached.
import * as vscode from 'vscode';
import { zeroize } from '../core/bytes';
import { displayText } from '../core/display-text';
import { CustodianError } from '../core/errors';
import type { RecipientPolicy } from '../core/envelope-header';
import type { EnvelopeInfo, SignatureStatus } from '../core/envelope';
import type { RsaPrivateKey, RsaPublicKey } from '../core/keys';
import { rosterNameProblem } from '../core/roster-names';
import { noKeysError } from './commands/pick';
import type { CustodianConfig } from './config';
import { lazyCore } from './lazy-core';
import type { ActiveKeyStore } from './storage/active-key-store';
import type { Contacts } from './storage/contacts';
import { checkAgain, type FingerprintChecks } from './storage/fingerprint-checks';
import { ROSTER_DIR, ROSTER_EXT, type Roster, type RosterMember, type RosterProblem } from './storage/roster';
import { workspaceFolders } from './storage/workspace-files';
import type { RosterTrust, VetSigner } from './roster-trust';
import type { WorkspaceTrust } from './workspace-trust';

export type KeySource = 'mine' | 'roster' | 'contact';

/** A public key Custodian knows a name for. */
export interface KnownKey {
  fingerprint: string;
  /** Roster file name, contact name or my key's name. */
  name: string;
  source: KeySource;
  key: RsaPublicKey;
  /** For my keys: whether it is the default (signing) key. */
  isDefault?: boolean;
  /** For my keys: the name the team roster gives it, which teammates see (the key's own name is mine alone). */
  rosterName?: string;
  /** A roster deploy key (docs/ROSTER.md §5): it reads; a file it signed was not written by the team. */
  deploy?: true;
}

/** A recipient or signer as shown to the user. */
export interface Party {
  fingerprint: string;
  /** A name when the key is known, else a short fingerprint. */
  name: string;
  source?: KeySource;
  deploy?: true;
  /** A teammate the roster named once and no longer does (their roster name; the party has no source). */
  former?: string;
}

/**
 * How a signer Custodian does not vouch for is named in a sentence: a former teammate by name ("signed
 * by bob, who was removed from the team"), any other key by its fingerprint.
 */
export function unknownSignerText(party: Party): string {
  if (party.deploy) return vscode.l10n.t('signed by {0}, a deploy key: teammates write the team\'s secrets, and what it wrote may be a leaked key\'s', party.name);
  return party.former !== undefined
    ? vscode.l10n.t('signed by {0}, who was removed from the team', displayText(party.former))
    : vscode.l10n.t('signed by a key Custodian does not know ({0})', abbreviated(party.fingerprint));
}

/** A fingerprint short enough for a sentence: its first 12 characters after "SHA256:". */
export function abbreviated(fingerprint: string): string {
  return fingerprint.startsWith('SHA256:') ? `${fingerprint.slice(7, 19)}…` : fingerprint;
}

/**
 * What an open document says once its file changed on disk and could not be opened again (tampered,
 * no longer for me, …): the editor keeps the text read before, which no longer matches the file.
 */
export function unreadableDescription(previous: EnvelopeDescription, what: string, reason: string): EnvelopeDescription {
  return {
    ...previous,
    summary: vscode.l10n.t('{0} changed on disk and cannot be opened', what),
    warning: vscode.l10n.t('{0} The editor still shows the version opened before, which is not what the file on disk holds now. Close it without saving, and find out how the file changed.', reason),
  };
}

export type SignerState =
  | { kind: 'unsigned' }
  /** The signature verified (the whole file was read). */
  | { kind: 'verified'; party: Party; known: boolean }
  /** Only the header's claim: not verified because the file was not decrypted. */
  | { kind: 'claimed'; party: Party; known: boolean };

export interface EnvelopeDescription {
  recipients: Party[];
  signer: SignerState;
  /** "Encrypted for alice, bob · signed by carol ✓" */
  summary: string;
  /** Set when the file is unsigned or signed by a key Custodian does not know. */
  warning?: string;
}

/**
 * Whether a file's signer is someone I vouch for (a teammate, a contact, me): false when unsigned or
 * unknown, and for a deploy key, which reads the team's files but whose writing vouches for nothing.
 */
export function signerVouched(description: EnvelopeDescription | undefined): boolean {
  return description !== undefined && description.signer.kind !== 'unsigned' && description.signer.known && !description.signer.party.deploy;
}

/** None of my keys is a recipient: says who can open the file, by name where known. */
export class NotARecipientError extends CustodianError {
  constructor(
    what: string,
    readonly recipients: readonly Party[],
    /** One of my keys is in the roster already: only the re-keying is missing. */
    readonly onTeam = false,
    /** The file's recipient policy: 'chosen' files are never re-encrypted for the team. */
    readonly policy?: RecipientPolicy,
  ) {
    super(vscode.l10n.t('You are not a recipient of {0}. It is encrypted to: {1}.', what, recipients.map((r) => r.name).join(', ')), {
      hint:
        policy === 'chosen'
          ? vscode.l10n.t('Its recipients were chosen by hand, so re-encrypting for the team does not add you: ask one of them to encrypt it to your key too.')
          : onTeam
            ? vscode.l10n.t('You are in the team roster already: ask one of them to run "Re-encrypt for Team" (or "custodian rekey") and push.')
            : vscode.l10n.t('Add yourself to the team roster (Add Myself to Team), commit and push it; then ask one of them to check your fingerprint and run "Re-encrypt for Team".'),
    });
  }
}

/**
 * A roster with files that are not usable keys (malformed, weak, duplicates): encrypting "to the team"
 * around them would silently leave those teammates out, so it is refused until they are fixed.
 */
export class UnusableRosterError extends CustodianError {
  constructor(readonly entries: readonly RosterProblem[]) {
    super(vscode.l10n.t('The team roster has unusable entries: {0}.', entries.map((e) => `${e.name}${ROSTER_EXT}`).join(', ')), {
      hint: vscode.l10n.t('Fix or remove them (see the Problems panel), so nobody silently drops out of the recipients.'),
    });
  }
}

/** A key whose fingerprint did not match when I checked it was not confirmed: nothing was encrypted. */
export class FingerprintMismatchError extends CustodianError {
  constructor(name: string) {
    super(vscode.l10n.t("Nothing was encrypted: the fingerprint of {0}'s key did not match when you checked it.", displayText(name)), {
      hint: checkAgain(displayText(name)),
    });
  }
}

export interface TeamOptions {
  /** Add my default key; default `custodian.alwaysIncludeMyself`. */
  includeMyself?: boolean;
  /**
   * Roster entries that are not usable keys: 'refuse' (default) throws UnusableRosterError; 'skip' leaves
   * them out, for reports and for callers that check each key they were given by name.
   */
  unusable?: 'refuse' | 'skip';
  /**
   * Check the roster against its signed records and the user's pins, asking about changed keys and
   * newcomers (RosterTrust.vet), and about keys whose fingerprint did not match when I checked it;
   * default true. Reports that encrypt nothing pass false.
   */
  review?: boolean;
}

/** workspaceState: fingerprint → roster name, for every teammate the roster has named (see formerName). */
const ROSTER_NAMES_KEY = 'custodian.rosterNames';

/** What a CryptoSession reads: my keys, the roster, contacts, settings and what this workspace remembers. */
export interface CryptoSessionDeps {
  keys: ActiveKeyStore;
  roster: Roster;
  contacts: Contacts;
  /** What Verify Fingerprint found: a key whose fingerprint did not match is asked about before encrypting to it. */
  checks: FingerprintChecks;
  config: (scope?: vscode.ConfigurationScope) => CustodianConfig;
  workspaceState: vscode.Memento;
  trust: WorkspaceTrust;
  rosterTrust: RosterTrust;
}

export class CryptoSession {
  /** Fingerprints git history was already asked to name (see nameFormerTeammates): asked once each. */
  private readonly askedGit = new Set<string>();

  constructor(private readonly deps: CryptoSessionDeps) {}

  /** Every key with a name: mine first, then the roster, then contacts (first name wins). */
  async knownKeys(): Promise<KnownKey[]> {
    const out: KnownKey[] = [];
    const seen = new Set<string>();
    const add = (k: KnownKey): void => {
      if (seen.has(k.fingerprint)) return;
      seen.add(k.fingerprint);
      out.push(k);
    };
    for (const info of this.deps.keys.current.list()) {
      add({ fingerprint: info.fingerprint, name: info.name, source: 'mine', key: await this.deps.keys.current.getPublicKey(info.id), isDefault: info.isDefault });
    }
    const members = await this.deps.roster.members();
    for (const k of out) k.rosterName = members.find((m) => m.key.fingerprint === k.fingerprint)?.name;
    const deploy = await this.deployKeys(members);
    for (const m of members) add(rosterKey(m, deploy.has(m.key.fingerprint)));
    await this.rememberRosterNames(members);
    for (const c of this.deps.contacts.list()) add({ fingerprint: c.fingerprint, name: c.name, source: 'contact', key: await this.deps.contacts.publicKey(c) });
    return out;
  }

  /** The roster's deploy keys (verified `deploy` records, read from disk without git), by fingerprint. */
  private async deployKeys(members: readonly RosterMember[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const folder of workspaceFolders()) {
      const inFolder = members.filter((m) => m.folder.index === folder.index);
      if (inFolder.length === 0) continue;
      const checked = await this.deps.rosterTrust.verify(folder, inFolder, { history: false }).catch(() => undefined);
      for (const m of inFolder) {
        const v = checked?.verification.entries.get(m.name);
        if (v?.status === 'verified' && v.deploy) found.add(m.key.fingerprint);
      }
    }
    return found;
  }

  /**
   * The roster entries of `folder` whose records say they are broken (a key swapped without a signature,
   * a signed removal deleted, …: docs/ROSTER.md §5), by fingerprint. They are not the team until a
   * verified member confirms them, so a file is not "missing" them, and one they can read is flagged.
   */
  async brokenRosterKeys(folder: vscode.WorkspaceFolder | undefined): Promise<Set<string>> {
    const found = new Set<string>();
    if (!folder) return found;
    const members = (await this.deps.roster.members()).filter((m) => m.folder.index === folder.index);
    const checked = members.length > 0 ? await this.deps.rosterTrust.verify(folder, members).catch(() => undefined) : undefined;
    for (const m of members) if (checked?.verification.entries.get(m.name)?.status === 'broken') found.add(m.key.fingerprint);
    return found;
  }

  /** The workspace folder whose roster is the team of `uri`: the folder holding it, else the first one. */
  teamFolder(uri?: vscode.Uri): vscode.WorkspaceFolder | undefined {
    return (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? workspaceFolders()[0];
  }

  /** The usable members of one folder's roster (none without a folder); unusable entries are refused unless 'skip'. */
  async rosterMembers(folder: vscode.WorkspaceFolder | undefined, unusable: TeamOptions['unusable'] = 'refuse'): Promise<RosterMember[]> {
    if (!folder) return [];
    const entries = (await this.deps.roster.list()).filter((e) => e.folder.index === folder.index);
    const broken = entries.filter((e): e is RosterProblem => e.kind === 'invalid');
    if (broken.length > 0 && unusable !== 'skip') throw new UnusableRosterError(broken);
    return entries.filter((e): e is RosterMember => e.kind === 'member');
  }

  /**
   * The team a file at `uri` is encrypted to: the roster of its workspace folder (see teamFolder), plus my
   * default key per `includeMyself`. A roster with unusable entries is refused (UnusableRosterError).
   */
  async teamRecipients(uri?: vscode.Uri, options: TeamOptions = {}): Promise<KnownKey[]> {
    const folder = this.teamFolder(uri);
    let members = await this.rosterMembers(folder, options.unusable);
    if (folder && options.review !== false) members = await this.deps.rosterTrust.vet(folder, members, this.vetSigner());
    const team = members.map((m) => rosterKey(m, false));
    return this.withMyself(options.review !== false ? await this.confirmMismatched(team) : team, uri ?? folder?.uri, options.includeMyself);
  }

  /**
   * The keys among `keys` that the user may encrypt to: roster keys are vetted on their folder's roster
   * (RosterTrust.vet), keys from other sources pass; excluded teammates are dropped. Asks when the roster
   * changed, and about a key whose fingerprint did not match when I checked it.
   */
  async vetChosen(keys: KnownKey[], scope?: vscode.Uri): Promise<KnownKey[]> {
    let vetted = keys;
    if (keys.some((k) => k.source === 'roster')) {
      const folder = this.teamFolder(scope);
      const members = (await this.deps.roster.list()).filter((e): e is RosterMember => e.kind === 'member' && e.folder.index === folder?.index);
      const chosen = members.filter((m) => keys.some((k) => k.fingerprint === m.key.fingerprint));
      const allowed = new Set((folder ? await this.deps.rosterTrust.vet(folder, chosen, this.vetSigner()) : []).map((m) => m.key.fingerprint));
      vetted = keys.filter((k) => k.source !== 'roster' || allowed.has(k.fingerprint) || !members.some((m) => m.key.fingerprint === k.fingerprint));
    }
    return this.confirmMismatched(vetted);
  }

  /** Whether Verify Fingerprint last found this key's fingerprint not to match what was read out. */
  fingerprintMismatched(fingerprint: string): boolean {
    return this.deps.checks.get(fingerprint)?.result === 'mismatch';
  }

  /**
   * Asks before encrypting to each key whose fingerprint did not match when I last checked it (Verify
   * Fingerprint, storage/fingerprint-checks.ts): leave them out (the default), encrypt to them anyway, or
   * cancel (FingerprintMismatchError: nothing is encrypted). Returns the keys to encrypt to. Asked whoever
   * calls, as RosterTrust.vet asks: no argument answers it.
   */
  private async confirmMismatched(keys: readonly KnownKey[]): Promise<KnownKey[]> {
    const out: KnownKey[] = [];
    for (const k of keys) {
      const check = this.deps.checks.get(k.fingerprint);
      if (check?.result !== 'mismatch') {
        out.push(k);
        continue;
      }
      const name = displayText(k.name);
      const leaveOut = vscode.l10n.t('Leave {0} Out', name);
      const anyway = vscode.l10n.t('Encrypt Anyway');
      const detail = [
        vscode.l10n.t('You entered:  {0}\nOn file:      {1}', check.entered, k.fingerprint),
        vscode.l10n.t('Whoever holds the matching private key can read what you encrypt.'),
        checkAgain(name),
      ].join('\n\n');
      // Leave Them Out first: in a modal the first button is the default, so Enter encrypts to the others
      // only; VS Code's Cancel encrypts nothing.
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t("The fingerprint of {0}'s key did not match when you checked it on {1}. Encrypt to it anyway?", name, check.time.slice(0, 10)),
        { modal: true, detail },
        leaveOut,
        anyway,
      );
      if (choice === anyway) out.push(k);
      else if (choice !== leaveOut) throw new FingerprintMismatchError(k.name);
    }
    return out;
  }

  /**
   * The team's fingerprints for recipient-policy decisions (recipient-policy.ts): empty without a roster,
   * so a file for me alone is never taken for a team file once a roster appears.
   */
  async teamFingerprints(uri?: vscode.Uri): Promise<string[]> {
    const team = await this.teamRecipients(uri, { unusable: 'skip', review: false });
    return team.some((k) => k.source === 'roster') ? team.map((k) => k.fingerprint) : [];
  }

  /** My default key when `include` (default `custodian.alwaysIncludeMyself`) says so and I have one. */
  async myself(scope?: vscode.ConfigurationScope, include?: boolean): Promise<KnownKey | undefined> {
    if (!(include ?? this.deps.config(scope).alwaysIncludeMyself)) return undefined;
    const me = this.deps.keys.current.getDefault();
    if (!me) return undefined;
    return { fingerprint: me.fingerprint, name: me.name, source: 'mine', key: await this.deps.keys.current.getPublicKey(me.id), isDefault: true };
  }

  /** Adds my default key to `keys` (see myself) when it is not there yet. */
  async withMyself(keys: KnownKey[], scope?: vscode.ConfigurationScope, include?: boolean): Promise<KnownKey[]> {
    const me = await this.myself(scope, include);
    return !me || keys.some((k) => k.fingerprint === me.fingerprint) ? keys : [...keys, me];
  }

  /** Public keys for fingerprints; every one must be known (roster, contact or mine). */
  async resolve(fingerprints: readonly string[], known?: KnownKey[]): Promise<KnownKey[]> {
    const all = known ?? (await this.knownKeys());
    const byFp = new Map(all.map((k) => [k.fingerprint, k]));
    const unknown = fingerprints.filter((fp) => !byFp.has(fp));
    if (unknown.length > 0) {
      throw new CustodianError(unknown.length === 1 ? vscode.l10n.t('No public key is known for recipient {0}.', unknown[0]) : vscode.l10n.t('No public key is known for recipients {0}.', unknown.join(', ')), {
        hint: vscode.l10n.t('Add the key to the team roster or to your contacts first.'),
      });
    }
    return fingerprints.map((fp) => byFp.get(fp)!);
  }

  /** My default key as RosterTrust may use it to re-sign an entry the user confirms. */
  private vetSigner(): VetSigner | undefined {
    const me = this.deps.keys.current.getDefault();
    return me && { fingerprint: me.fingerprint, load: () => this.signer(), release: (k) => this.release(k) };
  }

  /** My default key, for signing what I write. The caller must `release` it. */
  async signer(): Promise<RsaPrivateKey> {
    const me = this.deps.keys.current.getDefault();
    if (!me) throw noKeysError();
    return this.loadPrivateKey(me.id);
  }

  /** The error for a file none of my keys opens: whom to ask, and for what (joining, or only re-keying). */
  async notARecipient(what: string, recipients: readonly string[], known?: readonly KnownKey[], policy?: RecipientPolicy): Promise<NotARecipientError> {
    const mine = new Set(this.deps.keys.current.list().map((k) => k.fingerprint));
    const onTeam = (await this.deps.roster.members().catch(() => [])).some((m) => mine.has(m.key.fingerprint));
    return new NotARecipientError(what, this.parties(recipients, known ?? (await this.knownKeys())), onTeam, policy);
  }

  /**
   * My private keys that are recipients of a file, default first. Only those are read from the keychain.
   * Throws NotARecipientError naming the recipients when none is mine. The caller must `release` them.
   */
  async identitiesFor(recipients: readonly string[], what: string, policy?: RecipientPolicy): Promise<RsaPrivateKey[]> {
    const mine = this.deps.keys.current.list().filter((k) => recipients.includes(k.fingerprint));
    mine.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    if (mine.length === 0) {
      if (this.deps.keys.current.list().length === 0) throw noKeysError();
      throw await this.notARecipient(what, recipients, undefined, policy);
    }
    const keys: RsaPrivateKey[] = [];
    try {
      for (const k of mine) keys.push(await this.loadPrivateKey(k.id));
    } catch (err) {
      this.release(...keys);
      throw err;
    }
    return keys;
  }

  /** Whether one of my keys is among these recipients (no keychain access). */
  canDecrypt(recipients: readonly string[]): boolean {
    return this.deps.keys.current.list().some((k) => recipients.includes(k.fingerprint));
  }

  release(...keys: (RsaPrivateKey | undefined)[]): void {
    for (const k of keys) if (k) zeroize(k.pkcs8Der);
  }

  parties(fingerprints: readonly string[], known: readonly KnownKey[]): Party[] {
    return fingerprints.map((fp) => this.party(fp, known));
  }

  party(fingerprint: string, known: readonly KnownKey[]): Party {
    const k = known.find((x) => x.fingerprint === fingerprint);
    if (!k) {
      // A teammate removed from the roster keeps a name, but not the trust of a known key (no source).
      const former = this.formerName(fingerprint);
      return former ? { fingerprint, name: vscode.l10n.t('{0} (removed from team)', displayText(former)), former } : { fingerprint, name: shortFp(fingerprint) };
    }
    // Roster and contact names come from files and other people: shown only through displayText. Mine
    // by the roster's name when it has one: the name a recipient list shows everyone else by.
    const name = displayText(k.source === 'mine' ? (k.rosterName ?? k.name) : k.name);
    return { fingerprint, name: k.source === 'mine' ? vscode.l10n.t('{0} (you)', name) : name, source: k.source, ...(k.deploy ? { deploy: true as const } : {}) };
  }

  /** Recipients and signer in words; `signature` when the file was decrypted (verified), else the header's claim. */
  describe(header: EnvelopeInfo, signature: SignatureStatus | undefined, known: readonly KnownKey[]): EnvelopeDescription {
    const recipients = this.parties(header.recipients, known);
    let signer: SignerState;
    if (signature) {
      signer = signature.kind === 'unsigned' ? { kind: 'unsigned' } : this.signerState('verified', signature.signer.fingerprint, known);
    } else {
      signer = header.signer ? this.signerState('claimed', header.signer.fingerprint, known) : { kind: 'unsigned' };
    }
    // A deploy key reads what the team reads: said so, so nobody takes "ci" for a teammate. Mine first,
    // then by name: the same people read the same in every file (a newcomer saw two orders for one team).
    const shown = [...recipients].sort((a, b) => Number(b.source === 'mine') - Number(a.source === 'mine') || a.name.localeCompare(b.name));
    const forWhom = shown.map((r) => (r.deploy ? vscode.l10n.t('{0} (deploy key)', r.name) : r.name)).join(', ');
    let summary: string;
    let warning: string | undefined;
    if (signer.kind === 'unsigned') {
      summary = vscode.l10n.t('Encrypted for {0} · unsigned ⚠', forWhom);
      warning = vscode.l10n.t('The file is not signed: anyone with the recipients\' public keys could have written it.');
    } else {
      const mark = signer.kind === 'verified' ? (signer.known && !signer.party.deploy ? '✓' : '⚠') : '?';
      summary = vscode.l10n.t('Encrypted for {0} · signed by {1} {2}', forWhom, signer.party.name, mark);
      if (!signer.known && signer.party.former !== undefined) {
        warning = vscode.l10n.t('Signed by {0}, who is no longer on the team: check that this version is one you expect.', displayText(signer.party.former));
      } else if (!signer.known) warning = vscode.l10n.t('Signed by a key Custodian does not know ({0}): check who wrote it.', signer.party.fingerprint);
      else if (signer.party.deploy) {
        warning = vscode.l10n.t('Signed by {0}, a deploy key: deploy keys read the team\'s secrets, teammates write them. If no one on the team knows why {0} wrote this file, its key has leaked: rotate it.', signer.party.name);
      }
    }
    return { recipients, signer, summary, warning };
  }

  /**
   * Why re-encrypting this file would vouch for content I cannot vouch for: it is unsigned, or its
   * signer is not one of my keys, a teammate or a contact (or is a deploy key). Undefined when the signer is known.
   * (A bad signature by a known key fails the decryption itself.)
   */
  unverifiedSigner(header: EnvelopeInfo, known: readonly KnownKey[]): string | undefined {
    if (!header.signer) return 'unsigned';
    const party = this.party(header.signer.fingerprint, known);
    return party.source && !party.deploy ? undefined : unknownSignerText(party);
  }

  /**
   * The roster name a teammate had before leaving it, from the last roster that named them. Checked as
   * the roster checks names: one learnt from git history by an older version was not.
   */
  formerName(fingerprint: string): string | undefined {
    const names = this.deps.workspaceState.get<Record<string, string>>(ROSTER_NAMES_KEY);
    const name = names && Object.prototype.hasOwnProperty.call(names, fingerprint) ? names[fingerprint] : undefined;
    return typeof name === 'string' && rosterNameProblem(name) === undefined ? name : undefined;
  }

  /**
   * Names the unknown fingerprints among `fingerprints` that this window never saw in the roster, from
   * the roster files deleted in git history of `uri`'s folder (storage/roster-history.ts). Trusted
   * workspaces only: a repository's git config can run commands. Returns whether a name was learnt.
   */
  async nameFormerTeammates(uri: vscode.Uri | undefined, fingerprints: readonly string[], known: readonly KnownKey[]): Promise<boolean> {
    const unnamed = fingerprints.filter((fp) => !known.some((k) => k.fingerprint === fp) && !this.formerName(fp) && !this.askedGit.has(fp));
    const folder = this.teamFolder(uri);
    if (unnamed.length === 0 || !folder || folder.uri.scheme !== 'file' || !this.deps.trust.isTrusted) return false;
    const [{ rosterNamesFromGit }, keys] = await Promise.all([lazyCore.rosterHistory(), lazyCore.keys()]);
    const found = await rosterNamesFromGit(folder.uri.fsPath, { dir: ROSTER_DIR.join('/'), ext: ROSTER_EXT }, (text) => {
      try {
        return keys.parsePublicKey(text).fingerprint;
      } catch {
        return undefined;
      }
    });
    // Asked once each, unless git did not answer (then the next scan asks again).
    if (!found) return false;
    for (const fp of unnamed) this.askedGit.add(fp);
    const names = { ...(this.deps.workspaceState.get<Record<string, string>>(ROSTER_NAMES_KEY) ?? {}) };
    let learnt = false;
    for (const [fp, name] of found) {
      if (Object.prototype.hasOwnProperty.call(names, fp)) continue;
      names[fp] = name;
      learnt = true;
    }
    if (learnt) await this.deps.workspaceState.update(ROSTER_NAMES_KEY, names);
    return learnt;
  }

  private async rememberRosterNames(members: readonly RosterMember[]): Promise<void> {
    const names = { ...(this.deps.workspaceState.get<Record<string, string>>(ROSTER_NAMES_KEY) ?? {}) };
    let changed = false;
    for (const m of members) {
      if (names[m.key.fingerprint] === m.name) continue;
      names[m.key.fingerprint] = m.name;
      changed = true;
    }
    if (changed) await this.deps.workspaceState.update(ROSTER_NAMES_KEY, names);
  }

  private signerState(kind: 'verified' | 'claimed', fingerprint: string, known: readonly KnownKey[]): SignerState {
    const party = this.party(fingerprint, known);
    return { kind, party, known: party.source !== undefined };
  }

  private async loadPrivateKey(id: string): Promise<RsaPrivateKey> {
    const der = await this.deps.keys.current.getPrivateKeyDer(id);
    try {
      return (await lazyCore.keys()).privateKeyFromPkcs8Der(der);
    } finally {
      zeroize(der);
    }
  }
}

/** A roster member as a known key; `deploy` where the caller checked the records (a recipient list need not). */
function rosterKey(m: RosterMember, deploy: boolean): KnownKey {
  return { fingerprint: m.key.fingerprint, name: m.name, source: 'roster', key: m.key, ...(deploy ? { deploy: true as const } : {}) };
}

function shortFp(fingerprint: string): string {
  return fingerprint.startsWith('SHA256:') ? vscode.l10n.t('{0} (unknown key)', abbreviated(fingerprint)) : fingerprint;
}
