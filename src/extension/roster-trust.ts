// Roster integrity in the editor (docs/ROSTER.md §6–§7): before anything is encrypted to a folder's
// team, its entries are checked against their signed records and the user's pins (the pin store the
// CLI shares). A changed key, a newcomer nobody verifiably signed, or a broken entry is asked about
// in a modal showing the old and new fingerprint and the commit that changed the file: Confirm pins
// it, Exclude leaves it out of this encryption. A broken entry (its key is not the one signed, its
// record is forged, a signed removal was reverted) can only be confirmed by a verified member, who then
// re-signs it. Also writes the signed records for Add Teammate, Remove Teammate and Sign the Roster.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CryptoBackend } from '../core/crypto-backend';
import { displayText } from '../core/display-text';
import { CustodianError } from '../core/errors';
import type { RsaPrivateKey } from '../core/keys';
import type { PinQuestion, RosterPins } from '../core/roster-pins';
import type { MissingMember, RecordBody, RosterVerification } from '../core/roster-records';
import { lazyCore } from './lazy-core';
import { ROSTER_DIR, type RosterMember } from './storage/roster';
import type { WorkspaceTrust } from './workspace-trust';

/** The user did not answer a roster question: nothing was encrypted. */
export class RosterNotConfirmedError extends CustodianError {
  constructor(name: string) {
    super(vscode.l10n.t('Nothing was encrypted: the change to {0} in the team roster was not confirmed.', displayText(name)), {
      hint: vscode.l10n.t('Check the new fingerprint with them over a channel you trust, then Confirm; or Exclude them.'),
    });
  }
}

/**
 * A signed member's `.pub` file is gone without a signed removal: encrypting to the roster now would
 * leave them out unnoticed, which is what deleting a teammate's file is meant to do.
 */
export class RosterMemberMissingError extends CustodianError {
  constructor(missing: readonly MissingMember[]) {
    const names = missing.map((m) => displayText(m.name)).join(', ');
    // Someone not verified removed them (with Remove Teammate, maybe me): "Remove Teammate signs the removal" would be circular.
    const remover = missing.find((m) => m.unverifiedRemovalBy !== undefined)?.unverifiedRemovalBy;
    super(
      remover === undefined
        ? vscode.l10n.t('Nothing was encrypted: {0} left the team roster without a signed removal.', names)
        : vscode.l10n.t('Nothing was encrypted: {0} left the team roster, and the removal is signed by {1}, who is not a verified member, so it does not count.', names, displayText(remover)),
      {
        hint:
          remover === undefined
            ? vscode.l10n.t('Restore their .pub file from git; if they are leaving, Remove Teammate then signs the removal.')
            : vscode.l10n.t('Ask a verified teammate to remove them: restore their .pub file from git, then Remove Teammate signs a removal that counts.'),
      },
    );
  }
}

/**
 * A signed roster whose git history could not be read in full (a shallow clone, git failing): a signed
 * removal someone reverted shows only there, so encrypting to it stops, as in the CLI.
 */
export class RosterHistoryUnreadError extends CustodianError {
  constructor(gaps: readonly string[]) {
    super(vscode.l10n.t('Nothing was encrypted: the team roster is signed, but its git history could not be read in full, so a signed removal someone reverted would go unseen ({0}).', gaps.join('; ')), {
      hint: vscode.l10n.t('Fetch the whole history (git fetch --unshallow), then try again.'),
    });
  }
}

/** See RosterTrust.verified. */
const MAX_VERIFICATIONS_KEPT = 8;

export interface RosterTrustDeps {
  backend: () => Promise<CryptoBackend>;
  trust: WorkspaceTrust;
  /** The pin store file; the CLI's default ($XDG_CONFIG_HOME/custodian/roster-pins.json) unless a test says otherwise. */
  pinStoreFile?: string;
  /**
   * Told each record written here, so what shows the roster updates at once: a file watcher may report
   * the new file late, or not at all (the Team view went on saying "unverified" after Sign Their Entry).
   */
  recordWritten?: (file: vscode.Uri) => void;
}

export interface FolderVerification {
  verification: RosterVerification;
  /** Sentences: broken or deleted records, signed members whose file is gone, gaps in the history. */
  problems: string[];
  /** Why the git history could not be read in full (also in `problems`); empty when read, or not asked for. */
  historyGaps: readonly string[];
}

/** My signing key for re-signing a broken entry the user confirms; the caller releases it. */
export interface VetSigner {
  fingerprint: string;
  load(): Promise<RsaPrivateKey>;
  release(key: RsaPrivateKey): void;
}

export class RosterTrust {
  /**
   * Recent verifications, keyed by their exact input (members, root and record texts). Verifying is
   * pure, a few RSA signatures per record, and knownKeys() asks on every open, save and Show Recipients;
   * keying on the texts rather than on file events means a record written by the CLI or git counts at
   * the next call, never after a watcher's delay. A few entries: the whole team and a chosen subset,
   * with and without git history.
   */
  private readonly verified = new Map<string, RosterVerification>();

  constructor(private readonly deps: RosterTrustDeps) {}

  teamDir(folder: vscode.WorkspaceFolder): string {
    return path.join(folder.uri.fsPath, ...ROSTER_DIR);
  }

  private async store() {
    const { PinStore, defaultPinStoreFile } = await lazyCore.rosterPinStore();
    return new PinStore(this.deps.pinStoreFile ?? defaultPinStoreFile());
  }

  /**
   * Signature status of a folder's members; undefined for folders not on disk (web, virtual). `history`
   * false skips git (deleted records): for naming signers, where the records on disk are enough.
   */
  async verify(folder: vscode.WorkspaceFolder, members: readonly RosterMember[], options: { history?: boolean } = {}): Promise<FolderVerification | undefined> {
    if (folder.uri.scheme !== 'file') return undefined;
    const [{ readRosterRecords, historyProblems }, { verifyRoster }] = await Promise.all([lazyCore.rosterRecordsDir(), lazyCore.rosterRecords()]);
    // git history (deleted records) only in trusted workspaces: a repository's git config can run commands.
    const files = await readRosterRecords(this.teamDir(folder), { history: options.history !== false && this.deps.trust.isTrusted });
    const entries = members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint }));
    const input = JSON.stringify([entries, files.root ?? null, files.records]);
    let verification = this.verified.get(input);
    if (!verification) {
      verification = await verifyRoster(entries, files.root, files.records, await this.deps.backend());
      if (this.verified.size >= MAX_VERIFICATIONS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(input, verification);
    }
    return { verification, problems: [...verification.problems, ...historyProblems(files)], historyGaps: files.historyGaps };
  }

  /** Of `members` (any folders), the fingerprints of those no verified member has signed: encrypting to them asks first. */
  async unverified(members: readonly RosterMember[]): Promise<Set<string>> {
    const out = new Set<string>();
    const folders = new Map(members.map((m) => [m.folder.index, m.folder]));
    for (const folder of folders.values()) {
      // The whole folder's roster: an entry is verified through the records of the others.
      const here = members.filter((m) => m.folder.index === folder.index);
      const checked = await this.verify(folder, here);
      for (const m of here) if (checked?.verification.entries.get(m.name)?.status === 'unverified') out.add(m.key.fingerprint);
    }
    return out;
  }

  /**
   * The members of `folder` that may be encrypted to: the accepted ones, and those the user confirms
   * when asked. Throws RosterNotConfirmedError when a question is dismissed.
   */
  async vet(folder: vscode.WorkspaceFolder, members: readonly RosterMember[], signer?: VetSigner): Promise<RosterMember[]> {
    const checked = await this.verify(folder, members);
    if (!checked || members.length === 0) return [...members];
    if (checked.verification.signed && checked.historyGaps.length > 0) throw new RosterHistoryUnreadError(checked.historyGaps);
    // `members` may be the recipients chosen from the roster, not all of it: missing means no file on disk.
    const dir = this.teamDir(folder);
    const gone = checked.verification.missing.filter((m) => !fs.existsSync(path.join(dir, `${m.name}.pub`)));
    if (gone.length > 0) throw new RosterMemberMissingError(gone);
    const [{ reviewRoster, confirmPins, samePins }, { rosterKey }] = await Promise.all([lazyCore.rosterPins(), lazyCore.rosterPinStore()]);
    const key = await rosterKey(dir);
    const store = await this.store();
    const pins = await store.get(key);
    const entries = members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint }));
    const review = reviewRoster(entries, checked.verification, pins, { tofu: true });
    const confirmed: PinQuestion[] = [];
    const leftOut = new Set<string>();
    // Only a verified member's signature can mend a broken entry (docs/ROSTER.md §7).
    const canSign = signer !== undefined && members.some((m) => m.key.fingerprint === signer.fingerprint && checked.verification.entries.get(m.name)?.status === 'verified');
    for (const q of review.questions) {
      const answer = await this.ask(dir, q, canSign);
      if (answer === 'confirm') confirmed.push(q);
      else if (answer === 'exclude') leftOut.add(q.name);
      else throw new RosterNotConfirmedError(q.name);
    }
    const resign = confirmed.filter((q) => q.verdict.status === 'broken');
    if (resign.length > 0 && signer) {
      const key = await signer.load();
      try {
        for (const q of resign) await this.record(folder, { op: 'add', name: q.name, fingerprint: q.fingerprint }, key);
      } finally {
        signer.release(key);
      }
    }
    const next: RosterPins = confirmPins(review.next, confirmed);
    if (!samePins(next, pins)) await store.set(key, next);
    return members.filter((m) => !leftOut.has(m.name));
  }

  /** Forgets this folder's pins (tests; a user resets by editing the pin store). */
  async forget(folder: vscode.WorkspaceFolder): Promise<void> {
    const { rosterKey } = await lazyCore.rosterPinStore();
    await (await this.store()).set(await rosterKey(this.teamDir(folder)), undefined);
  }

  /**
   * Pins `confirmed` (the user just added or signed them) and what the roster, `members` as it is now,
   * would have had accepted anyway; drops the pins of `unpin` (a teammate the user removed).
   */
  async pin(folder: vscode.WorkspaceFolder, members: readonly RosterMember[], confirmed: readonly { name: string; fingerprint: string }[], unpin: readonly string[] = []): Promise<void> {
    const checked = await this.verify(folder, members);
    if (!checked) return;
    const [{ pinsAfterVouching }, { rosterKey }] = await Promise.all([lazyCore.rosterPins(), lazyCore.rosterPinStore()]);
    const key = await rosterKey(this.teamDir(folder));
    const store = await this.store();
    const entries = members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint }));
    const next = pinsAfterVouching(entries, checked.verification, await store.get(key), confirmed);
    for (const n of unpin) delete next.members[n];
    await store.set(key, next);
  }

  /** Writes one signed record into the folder's roster (none for a change to a roster not signed yet). */
  async record(folder: vscode.WorkspaceFolder, body: RecordBody, signer: RsaPrivateKey): Promise<string | undefined> {
    if (folder.uri.scheme !== 'file') throw new CustodianError(vscode.l10n.t('Signed roster records need a folder on disk.'));
    const { writeRosterRecord } = await lazyCore.rosterRecordsDir();
    const written = await writeRosterRecord(this.teamDir(folder), body, signer, await this.deps.backend());
    if (written !== undefined) this.deps.recordWritten?.(vscode.Uri.file(written));
    return written;
  }

  /** Whether the folder's roster has a root of trust. */
  async isSigned(folder: vscode.WorkspaceFolder): Promise<boolean> {
    if (folder.uri.scheme !== 'file') return false;
    const { readRosterRecords } = await lazyCore.rosterRecordsDir();
    return (await readRosterRecords(this.teamDir(folder), { history: false })).root !== undefined;
  }

  private async ask(dir: string, q: PinQuestion, canSign: boolean): Promise<'confirm' | 'exclude' | undefined> {
    const name = displayText(q.name);
    const change = this.deps.trust.isTrusted ? await (await lazyCore.rosterRecordsDir()).lastChange(path.join(dir, `${q.name}.pub`)) : undefined;
    const lines: string[] = [];
    if (q.pinned) lines.push(vscode.l10n.t('Pinned key: {0}', q.pinned), vscode.l10n.t('New key: {0}', q.fingerprint));
    else lines.push(vscode.l10n.t('Key: {0}', q.fingerprint));
    if (q.verdict.status === 'verified') lines.push(vscode.l10n.t('Signed by {0}, but not through a root of trust you accepted.', displayText(q.verdict.by ?? 'the root')));
    else {
      // The word in the UI's language; the reason is the core's (English, as its errors are).
      const status = q.verdict.status === 'broken' ? vscode.l10n.t('broken') : vscode.l10n.t('not verified');
      lines.push(vscode.l10n.t('Status: {0} ({1}).', status, displayText(q.verdict.reason, 400)));
    }
    if (change) {
      lines.push(vscode.l10n.t('Last changed in commit {0} by {1} on {2}: "{3}"', change.commit.slice(0, 12), displayText(change.author), change.date, displayText(change.subject)));
    } else {
      lines.push(vscode.l10n.t('Who changed the file is unknown (no git history, or the workspace is not trusted).'));
    }
    const exclude = vscode.l10n.t('Exclude');
    const broken = q.verdict.status === 'broken';
    const confirm = broken ? vscode.l10n.t('Confirm and Sign') : vscode.l10n.t('Confirm');
    if (broken) {
      lines.push(
        '',
        canSign
          ? vscode.l10n.t('Confirm and Sign re-signs this entry with your key: do it only after {0} has read you this fingerprint over a channel you trust.', name)
          : vscode.l10n.t('A broken entry is mended by a verified member re-signing it once the key is checked (Sign the Current Roster, or "custodian roster sign NAME").'),
      );
    } else {
      lines.push('', vscode.l10n.t('Confirm only after {0} has read you this fingerprint over a channel you trust (in person or on a call). Whoever holds the matching private key can read what you encrypt.', name));
    }
    const message = q.pinned
      ? vscode.l10n.t("{0}'s key in the team roster changed since you last encrypted to it. Encrypt to the new key?", name)
      : broken
        ? vscode.l10n.t("{0}'s entry in the team roster is broken. Encrypt to it?", name)
        : vscode.l10n.t('{0} is new in the team roster (not verified by a teammate you trust). Encrypt to them?', name);
    // Exclude first: in a modal the first button is the default, and Enter must not trust a key.
    const buttons = broken && !canSign ? [exclude] : [exclude, confirm];
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail: lines.join('\n') }, ...buttons);
    return choice === confirm ? 'confirm' : choice === exclude ? 'exclude' : undefined;
  }
}
