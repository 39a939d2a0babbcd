// Drift: `.enc` files (and value-encrypted .env/JSON/YAML files, fs/values-files.ts) in the workspace whose recipients are not the team (the roster of the file's
// workspace folder, plus me when custodian.alwaysIncludeMyself is on) — a teammate missing, or someone no
// longer in the team still able to read it. Only headers are read (no key needed). Unreadable files are
// reported, never dropped. Unusable roster entries are left out of the comparison here (the Team section
// and the Problems panel show them); re-encrypting refuses them. Files whose recipients were chosen on
// purpose (recipient-policy.ts: shares, MFA seeds, files marked "chosen") are "kept", never drift.
// In a trusted workspace each file is also checked for a rollback (an older committed version back):
// its signature is a teammate's, its recipients may be right, and yet it brings back what was rotated
// since, so it is listed, and re-keying it (which would sign it anew) waits until it is checked.
// A symbolic link (or a file under a linked folder) is "linked": listed with where it leads, never read
// or re-keyed: what it leads to is not this repository's file (node/regular-files.ts).
import * as vscode from 'vscode';
import { describeError } from '../../../core/errors';
import type { CryptoSession, KnownKey, Party } from '../../crypto-session';
import { choiceCounts, keepReason, type KeepReason } from '../../../core/recipient-policy';
import type { EncryptionServices } from '../encrypt/deps';
import { lazyCore } from '../../lazy-core';
import { isValuesFile, readValuesHeader } from '../../fs/values-files';
import { formatOf, readText } from '../../fs/values-file-system';
import { basename, isEncryptedFileUri } from '../../fs/enc-uri';
import { watchFiles } from '../../storage/workspace-files';
import { MAX_INLINE_BYTES } from '../../fs/encrypted-documents';
import type { ValueFileIndex } from '../../fs/value-file-index';
import type { Rollback } from '../../git/git-blobs';
import { linkOnPath } from '../../../node/regular-files';

const ENC_GLOB = '**/*.enc';

/** Watches the workspace's `.enc` files, those in folder trees made while VS Code runs too (watchFiles). */
export function watchEncFiles(onFile: (uri: vscode.Uri) => void): vscode.Disposable {
  return watchFiles(ENC_GLOB, onFile, isEncryptedFileUri);
}
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';

export interface DriftEntry {
  uri: vscode.Uri;
  /**
   * ok: recipients are the team; drift: they differ; kept: chosen on purpose; exposed: kept, but someone
   * outside the team (a former teammate, a key Custodian does not know) can read it, or its signer is not
   * vouched for (re-keying to the team is still refused: `extra` says who); invalid: the header cannot be read;
   * linked: a symbolic link, or under a linked folder of the workspace (`link` says where it leads): not read.
   */
  status: 'ok' | 'drift' | 'kept' | 'exposed' | 'invalid' | 'linked';
  /** For linked files: the link (the file, or a folder above it) and what it leads to. */
  link?: { path: string; target: string };
  /** For kept files: why their recipients are not the team's business. */
  keep?: KeepReason;
  /** Set when the header names no signer, or one Custodian does not know: re-keying would vouch for it. */
  unverified?: string;
  /** Who signed the version on disk; undefined when it is unsigned (or unreadable). */
  signer?: Party;
  /** Team members who cannot open the file. */
  missing: Party[];
  /** Recipients who are not in the team. */
  extra: Party[];
  recipients: Party[];
  /** One of my keys is a recipient (so I can re-encrypt it). */
  canDecrypt: boolean;
  /** For invalid files: why. */
  problem?: string;
  /** Set when the file is an older committed version back (trusted workspaces only). */
  rollback?: Rollback;
}

/** A file a key can open (`filesReadableBy`). */
export interface ReadableFile {
  readonly uri: vscode.Uri;
  /** A value-encrypted file's encrypted values, by display name. */
  readonly values?: readonly string[];
  /** A `.env`, JSON or YAML `.enc` file's entries, by display name, when one of my keys opens it. */
  readonly entries?: readonly string[];
  /** A `.enc` file kept for chosen recipients: a share, an MFA seed, "chosen". */
  readonly keep?: KeepReason;
  /** A text file's encrypted selections the key opens: re-keying files does not reach them. */
  readonly selections?: number;
}

export interface DriftReport {
  entries: DriftEntry[];
  team: Party[];
  /** False when the workspace has no roster (nothing to compare with). */
  hasTeam: boolean;
}

export class DriftScanner {
  constructor(
    private readonly services: EncryptionServices,
    private readonly session: CryptoSession,
    private readonly valueFiles: ValueFileIndex,
    /** The rollbacks among files, by fsPath (git-blobs.ts rollbacksAmong); empty where git may not run (Restricted Mode). */
    readonly rollbacks: (files: readonly vscode.Uri[]) => Promise<ReadonlyMap<string, Rollback>>,
  ) {}

  async findFiles(): Promise<vscode.Uri[]> {
    const files = [...(await vscode.workspace.findFiles(ENC_GLOB, EXCLUDE_GLOB)), ...(await this.valueFiles.scan())];
    return files.filter((u) => u.scheme === 'file').sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  async scan(files?: vscode.Uri[]): Promise<DriftReport> {
    const { readEnvelopeHeader } = await lazyCore.envelopeFiles();
    const known = await this.session.knownKeys();
    const members = await this.services.roster.members();
    const entries: DriftEntry[] = [];
    let teamKeys: KnownKey[] = [];
    // The team of each workspace folder, worked out once: reading the roster and its records costs tens of
    // milliseconds, which per file made a scan of 1,000 files take 20 s.
    const teams = new Map<string, KnownKey[]>();
    const teamOf = async (uri: vscode.Uri): Promise<KnownKey[]> => {
      const folder = this.session.teamFolder(uri);
      const folderKey = folder?.uri.toString() ?? '';
      let keys = teams.get(folderKey);
      if (keys === undefined) {
        const broken = await this.session.brokenRosterKeys(folder);
        // A broken roster entry is not the team: a file without it is not missing it, one with it reads as extra.
        const withMe = (await this.session.teamRecipients(folder?.uri ?? uri, { unusable: 'skip', review: false })).filter((k) => k.source !== 'roster' || !broken.has(k.fingerprint));
        // Without a roster there is no team to compare with: nothing is missing or extra.
        keys = withMe.some((k) => k.source === 'roster') ? withMe : [];
        teams.set(folderKey, keys);
      }
      return keys;
    };
    const uris = files ?? (await this.findFiles());
    const rollbacks = await this.rollbacks(uris).catch(() => new Map<string, Rollback>());
    for (const uri of uris) {
      teamKeys = await teamOf(uri);
      const hasRoster = teamKeys.length > 0;
      const team = new Set(teamKeys.map((k) => k.fingerprint));
      const link = await linkOf(uri);
      if (link) {
        entries.push({ uri, status: 'linked', link, missing: [], extra: [], recipients: [], canDecrypt: false });
        continue;
      }
      try {
        const header = isValuesFile(uri) ? await readValuesHeader(uri) : await readEnvelopeHeader(uri.fsPath);
        const have = new Set(header.recipients);
        const unverified = this.session.unverifiedSigner(header, known);
        // A "chosen" statement counts from a signer I vouch for, or when only teammates read the file (recipient-policy.ts).
        const keep = keepReason(uri.fsPath, header.recipientPolicy, choiceCounts(unverified === undefined, header.recipients, team));
        const recipients = this.session.parties(header.recipients, known);
        // Chosen recipients are not the team's business, but no one outside it (no key of mine, the roster's or a contact's) should read them.
        const outsiders = recipients.filter((p) => !p.source);
        const missing = keep ? [] : teamKeys.filter((k) => !have.has(k.fingerprint)).map((k) => this.session.party(k.fingerprint, known));
        const extra = keep ? outsiders : hasRoster ? recipients.filter((p) => !team.has(p.fingerprint)) : [];
        entries.push({
          uri,
          status: keep ? (outsiders.length > 0 || unverified ? 'exposed' : 'kept') : missing.length || extra.length ? 'drift' : 'ok',
          keep,
          unverified,
          signer: header.signer && this.session.party(header.signer.fingerprint, known),
          missing,
          extra,
          recipients,
          canDecrypt: this.session.canDecrypt(header.recipients),
          rollback: rollbacks.get(uri.fsPath),
        });
      } catch (err) {
        entries.push({ uri, status: 'invalid', missing: [], extra: [], recipients: [], canDecrypt: false, problem: describeError(err) });
      }
    }
    // Recipients no longer in the roster that this window never saw there: ask git history for names.
    const unknown = new Map<string, { uri: vscode.Uri; fingerprints: Set<string> }>();
    for (const e of entries) {
      for (const p of e.extra.filter((x) => !x.source)) {
        const folder = this.session.teamFolder(e.uri)?.uri.toString() ?? '';
        if (!unknown.has(folder)) unknown.set(folder, { uri: e.uri, fingerprints: new Set() });
        unknown.get(folder)!.fingerprints.add(p.fingerprint);
      }
    }
    let learnt = false;
    for (const { uri, fingerprints } of unknown.values()) learnt = (await this.session.nameFormerTeammates(uri, [...fingerprints], known)) || learnt;
    if (learnt) {
      for (const e of entries) {
        e.extra = e.extra.map((p) => this.session.party(p.fingerprint, known));
        e.recipients = e.recipients.map((p) => this.session.party(p.fingerprint, known));
        if (e.signer) e.signer = this.session.party(e.signer.fingerprint, known);
      }
    }
    return { entries, team: this.session.parties(teamKeys.map((k) => k.fingerprint), known), hasTeam: members.length > 0 };
  }

  /**
   * The files encrypted for the team whose recipients are no longer the team's (after a teammate was
   * added, those not yet for them), and how many of them one of my keys opens, so I can re-encrypt them.
   */
  async drifting(): Promise<{ total: number; mine: number }> {
    const drift = (await this.scan()).entries.filter((e) => e.status === 'drift');
    return { total: drift.length, mine: drift.filter((e) => e.canDecrypt).length };
  }

  /**
   * The workspace's encrypted files `fingerprint` can open: what a teammate being removed could have
   * copied, so Remove Teammate can list what to rotate. A value-encrypted file comes with the names of
   * its encrypted values (those in the clear were never secret); a kept file with why it is kept (a
   * share is re-split, an MFA seed reset, rather than rotated in place).
   */
  async filesReadableBy(fingerprint: string): Promise<ReadableFile[]> {
    const readable = (await this.filesAndRecipients()).filter((f) => f.recipients.includes(fingerprint));
    const out: ReadableFile[] = [];
    for (const { uri, values, keep, recipients } of readable) {
      const entries = values || keep ? undefined : await this.entriesOf(uri, recipients);
      out.push({ uri, values, keep, ...(entries ? { entries } : {}) });
    }
    // A block or token in config.yaml stayed readable to a removed teammate, unnamed (a red team).
    const { selectionsEncryptedTo } = await lazyCore.encryptedFiles();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      for (const { file, count } of await selectionsEncryptedTo(folder.uri.fsPath, fingerprint).catch(() => [])) {
        out.push({ uri: vscode.Uri.joinPath(folder.uri, ...file.split('/')), selections: count });
      }
    }
    return out;
  }

  /**
   * The entries of a `.env`, JSON or YAML `.enc` file one of my keys opens (decrypted in memory, then
   * wiped): the names of the secrets to rotate; undefined for other contents, or when it does not open.
   */
  private async entriesOf(uri: vscode.Uri, recipients: readonly string[]): Promise<string[] | undefined> {
    const [{ decryptBytes }, { valueNames, valuesFormatForFileName }, backend] = await Promise.all([lazyCore.envelope(), lazyCore.values(), this.services.backend()]);
    const format = valuesFormatForFileName(uri.path.replace(/\.enc$/i, ''));
    if (!format || !this.session.canDecrypt(recipients) || (await vscode.workspace.fs.stat(uri)).size > MAX_INLINE_BYTES) return undefined;
    const identities = await this.session.identitiesFor(recipients, basename(uri.path));
    try {
      const { plaintext } = await decryptBytes(await vscode.workspace.fs.readFile(uri), { identities, backend });
      try {
        return valueNames(new TextDecoder('utf-8', { fatal: true }).decode(plaintext), format);
      } finally {
        plaintext.fill(0);
      }
    } catch {
      return undefined; // not that format after all, or damaged: "every secret in it"
    } finally {
      this.session.release(...identities);
    }
  }

  /**
   * What deleting my key `fingerprint` costs in this workspace: the encrypted files (`.enc`, Shamir
   * shares, value-encrypted files) it opens and none of `otherKeys` does; `alone` when it is their only
   * recipient, so no one can open them again. Delete Key's warning names them.
   */
  async filesOpenedOnlyWith(fingerprint: string, otherKeys: ReadonlySet<string>): Promise<{ uri: vscode.Uri; alone: boolean }[]> {
    return (await this.filesAndRecipients())
      .filter((f) => f.recipients.includes(fingerprint) && !f.recipients.some((fp) => otherKeys.has(fp)))
      .map((f) => ({ uri: f.uri, alone: f.recipients.length === 1 }));
  }

  /**
   * Every encrypted file of the workspace with its recipients (headers only; a value-encrypted file's
   * signature verified, no key needed), the names of a value-encrypted file's encrypted values, and why a
   * `.enc` file keeps its recipients. Unreadable files are left out: the Encrypted Files view reports them,
   * and links: what they lead to is not the workspace's (another project's file, a device).
   */
  private async filesAndRecipients(): Promise<(ReadableFile & { recipients: readonly string[] })[]> {
    const [{ readEnvelopeHeader }, { inspectValues }, backend] = await Promise.all([lazyCore.envelopeFiles(), lazyCore.values(), lazyCore.createBackend()]);
    const out: (ReadableFile & { recipients: readonly string[] })[] = [];
    for (const uri of await this.findFiles()) {
      try {
        if (await linkOf(uri)) continue;
        if (isValuesFile(uri)) {
          const info = await inspectValues(await readText(uri, basename(uri.path)), await formatOf(uri), backend);
          out.push({ uri, recipients: info.recipients, values: info.entries.filter((e) => e.encrypted).map((e) => e.name) });
        } else {
          const header = await readEnvelopeHeader(uri.fsPath);
          out.push({ uri, recipients: header.recipients, keep: keepReason(uri.fsPath, header.recipientPolicy) });
        }
      } catch {
        // Unreadable: the Encrypted Files view reports it.
      }
    }
    return out;
  }
}

/**
 * The symbolic link on the way from `uri`'s workspace folder to it (the file itself, or a folder between),
 * as the folder's relative path and what it leads to; undefined when there is none.
 */
export async function linkOf(uri: vscode.Uri): Promise<{ path: string; target: string } | undefined> {
  if (uri.scheme !== 'file') return undefined;
  const found = await linkOnPath(uri.fsPath, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
  return found && { path: vscode.workspace.asRelativePath(vscode.Uri.file(found.link)), target: found.target };
}
