// Recover Secret…: collect every share of a set that is sealed to one of my keys (my own share, and
// shares custodians released to me), verify each, and with T of them reconstruct the secret into a
// read-only editor, the clipboard (cleared later) or a new `.enc` file. Never to disk in the clear.
import * as vscode from 'vscode';
import { constantTimeEqual, isValidUtf8, utf8Decode, zeroize } from '../../../core/bytes';
import { CustodianError, InvalidArgumentError, describeError } from '../../../core/errors';
import type { Share } from '../../../core/shamir';
import { MyIdentities, knownPeople, openShareFile, type Person } from '../../shamir/share-crypto';
import { ShareSetError } from '../../shamir/share-set';
import type { ShareFileInfo, ShareSet } from '../../shamir/share-store';
import { writeFileAtomic } from '../../storage/workspace-files';
import { fromArgument, is, type Shape } from '../arguments';
import { isInteractive } from '../pick';
import { pickSet, SET_ARGS, type SetArgs, type ShamirDeps } from './deps';
import { lazyCore } from '../../lazy-core';

export type RecoverOutput = 'untitled' | 'clipboard' | 'encrypted';

export interface RecoverSecretArgs extends SetArgs {
  /** 'untitled': a read-only editor that is never saved or backed up. Default: ask. */
  output?: RecoverOutput;
  /** For 'encrypted': recipient fingerprints (default: my default key). */
  recipients?: string[];
  /** For 'encrypted': the `.enc` file to write (default: ask). */
  uri?: vscode.Uri;
  /** For 'encrypted': replace an existing file. */
  overwrite?: boolean;
  /** Delete the release files sealed to me once the secret is recovered. Default: ask (interactive) or keep. */
  deleteReleases?: boolean;
}

const RECOVER_SECRET_ARGS: Shape<RecoverSecretArgs> = { ...SET_ARGS, output: is.oneOf<RecoverOutput>('untitled', 'clipboard', 'encrypted'), recipients: is.strings, uri: is.uri, overwrite: is.boolean, deleteReleases: is.boolean };

export interface RecoverSecretResult {
  setName: string;
  recovered: boolean;
  /** Verified shares (distinct custodians) available to me. */
  collected: number;
  threshold: number;
  /** Custodians whose shares I hold, verified. */
  from: string[];
  /** Custodians whose shares I do not hold yet. */
  waitingFor: string[];
  /** Files of the set that are damaged or inconsistent (but not sealed to me). */
  damaged: string[];
  dealer: { name: string; fingerprint: string; known: boolean };
  output?: RecoverOutput;
  /** The read-only document ('untitled') or the written file ('encrypted'). */
  uri?: vscode.Uri;
  /** For 'clipboard': seconds until it is cleared (0: never). */
  clearsInSeconds?: number;
  /** Release files sealed to me that were deleted after the recovery. */
  releasesDeleted?: string[];
}

export async function recoverSecret(deps: ShamirDeps, arg: unknown): Promise<RecoverSecretResult | undefined> {
  const { services, store } = deps;
  const a = fromArgument(arg, RECOVER_SECRET_ARGS);
  const set = await pickSet(deps, arg, vscode.l10n.t('Recover Secret'), vscode.l10n.t('Recover the secret of which set?'));
  if (!set) return undefined;
  const m = set.manifest;
  const identities = new MyIdentities(services);
  if (identities.keys().length === 0) {
    throw new CustodianError(vscode.l10n.t('Recovering needs your key: shares are sealed to custodians\' keys.'), { hint: vscode.l10n.t('Import your private key first.') });
  }
  const shares = new Map<number, Share>();
  let secret: Uint8Array | undefined;
  // A run that fails (a tampered share) must not leave the tree saying "recovered" from an earlier one.
  store.recordProgress(set, { collected: 0, threshold: m.threshold, recovered: false });
  try {
    const status = await store.status(set);
    const forMe = status.files.filter((f) => f.recipients.some((fp) => identities.has(fp)));
    const damaged = status.files.filter((f) => f.problem && !forMe.includes(f)).map((f) => f.file);
    const people = await knownPeople(services);
    const dealer = { ...m.dealer, known: people.some((p) => p.fingerprint === m.dealer.fingerprint) };

    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Custodian: recovering "{0}"', m.name) },
      async (progress) => {
        for (const info of forMe) {
          progress.report({ message: vscode.l10n.t('verifying {0}\'s share… ({1} of {2} needed)', info.custodian.name, shares.size, m.threshold) });
          const share = await openShareFile(services, m, info, await store.readFile(info.uri), identities);
          const same = shares.get(share.index);
          if (same) {
            const agree = constantTimeEqual(same.value, share.value);
            zeroize(share.value);
            if (!agree) throw new ShareSetError(vscode.l10n.t('Two files hold different shares for {0} ({1}): the set was tampered with.', info.custodian.name, info.file));
            continue;
          }
          shares.set(share.index, share);
        }
        progress.report({ message: vscode.l10n.t('{0} of {1} needed shares available', Math.min(shares.size, m.threshold), m.threshold) });
      },
    );

    const from = m.custodians.filter((c) => shares.has(c.index)).map((c) => c.name);
    const waitingFor = m.custodians.filter((c) => !shares.has(c.index)).map((c) => c.name);
    const base: RecoverSecretResult = { setName: m.name, recovered: false, collected: shares.size, threshold: m.threshold, from, waitingFor, damaged, dealer };
    store.recordProgress(set, { collected: shares.size, threshold: m.threshold, recovered: false });
    if (shares.size < m.threshold) {
      const need = m.threshold - shares.size;
      const have = from.length
        ? vscode.l10n.t('"{0}": {1} of {2} needed shares are available to you ({3}).', m.name, shares.size, m.threshold, from.join(', '))
        : vscode.l10n.t('"{0}": {1} of {2} needed shares are available to you.', m.name, shares.size, m.threshold);
      // A custodian without VS Code releases with the CLI (docs/CLI.md, release): the command they run.
      const cli = await releaseCommandLine(deps, set, waitingFor);
      const ask =
        need === 1
          ? vscode.l10n.t('Ask one more custodian ({0}) to run "Release My Share…" to you, or on the command line: {1}', waitingFor.join(', '), cli)
          : vscode.l10n.t('Ask {0} more custodians ({1}) to run "Release My Share…" to you, or on the command line: {2}', need, waitingFor.join(', '), cli);
      const broken = damaged.length ? vscode.l10n.t('Damaged files: {0}.', damaged.join(', ')) : '';
      void vscode.window.showWarningMessage([have, ask, broken].filter(Boolean).join(' '));
      return base;
    }

    const output = a.output ?? (await pickOutput());
    if (!output) return undefined;
    const encryptTo = output === 'encrypted' ? await resolveRecipients(deps, a.recipients, people) : undefined;
    if (output === 'encrypted' && !encryptTo) return undefined;

    const { combineShares } = await lazyCore.shamir();
    secret = combineShares([...shares.values()]);
    store.recordProgress(set, { collected: shares.size, threshold: m.threshold, recovered: true });
    services.log.info(`Recovered the secret of share set "${m.name}" from ${from.join(', ')} (output: ${output}).`);
    if (!dealer.known) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('"{0}" was dealt by a key that is not in your team, contacts or keys ({1}). Make sure the set is genuine before using the secret.', m.name, m.dealer.fingerprint),
      );
    }
    const done = { ...base, recovered: true, output };
    // Whose shares made it, and who dealt the set: what to check before relying on the secret (SHAMIR.md).
    const dealtBy = people.find((p) => p.fingerprint === m.dealer.fingerprint);
    const provenance = vscode.l10n.t(
      'From the shares of {0}; dealt by {1}.',
      from.join(', '),
      dealtBy ? (dealtBy.kind === 'me' ? vscode.l10n.t('you ({0})', dealtBy.label) : dealtBy.label) : vscode.l10n.t('{0}, a key you do not know', m.dealer.name),
    );
    if (output === 'untitled' || output === 'clipboard') {
      if (!isValidUtf8(secret)) {
        throw new CustodianError(vscode.l10n.t('The secret of "{0}" is binary, not text, so it cannot be shown or copied.', m.name), {
          hint: vscode.l10n.t('Recover it to an encrypted .enc file instead.'),
        });
      }
      const text = utf8Decode(secret);
      if (output === 'untitled') {
        const doc = await vscode.workspace.openTextDocument(deps.documents.add(`${m.name}.txt`, text));
        await vscode.window.showTextDocument(doc, { preview: false });
        void vscode.window.showInformationMessage(`${vscode.l10n.t('Recovered the secret of "{0}": shown read-only, never saved.', m.name)} ${provenance}`);
        return { ...done, uri: doc.uri, ...(await afterRecovery(deps, set, forMe, a.deleteReleases, isInteractive(arg))) };
      }
      const { clearsInSeconds: seconds } = await services.clipboard.copy(text);
      void vscode.window.showInformationMessage(
        `${
          seconds > 0
            ? vscode.l10n.t('Copied the secret of "{0}". The clipboard is cleared in {1} s.', m.name, seconds)
            : vscode.l10n.t('Copied the secret of "{0}".', m.name)
        } ${provenance}`,
      );
      return { ...done, clearsInSeconds: seconds, ...(await afterRecovery(deps, set, forMe, a.deleteReleases, isInteractive(arg))) };
    }
    const uri = await writeEncrypted(deps, set, secret, encryptTo!, a);
    if (!uri) return undefined;
    void vscode.window.showInformationMessage(
      `${vscode.l10n.t('Saved the secret of "{0}" encrypted to {1}: {2}.', m.name, encryptTo!.map((p) => p.label).join(', '), vscode.workspace.asRelativePath(uri))} ${provenance}`,
    );
    return { ...done, uri, ...(await afterRecovery(deps, set, forMe, a.deleteReleases, isInteractive(arg))) };
  } finally {
    for (const s of shares.values()) zeroize(s.value);
    zeroize(secret);
    identities.dispose();
  }
}

/**
 * What a custodian on the command line runs to release their share to me: `custodian release -r ME
 * .custodian/shares/SET/NAME.share.enc`, ME being my roster name (what `-r` takes), else a key file.
 */
async function releaseCommandLine(deps: ShamirDeps, set: ShareSet, waitingFor: readonly string[]): Promise<string> {
  const mine = new Set(deps.services.keyStore.list().map((k) => k.fingerprint));
  const me = (await deps.services.roster.members()).find((m) => mine.has(m.key.fingerprint))?.name ?? vscode.l10n.t('YOUR-KEY.pub');
  const who = waitingFor.length === 1 ? waitingFor[0] : vscode.l10n.t('NAME');
  const { shellQuote } = await lazyCore.shellQuote();
  const file = `${vscode.workspace.asRelativePath(set.dir, false)}/${who}.share.enc`;
  return `custodian release -r ${shellQuote(me)} ${shellQuote(file)}`;
}

/**
 * The release files sealed to me stay usable: kept in the repository, they let me recover the secret
 * again, alone, whenever I like, which is what the threshold was to prevent. So deleting them is
 * offered once the secret is out (my own share is kept). Each file is deleted on its own (one unlink,
 * not to the trash); what is left to do in git is said.
 */
async function afterRecovery(
  deps: ShamirDeps,
  set: ShareSet,
  forMe: readonly ShareFileInfo[],
  wanted: boolean | undefined,
  interactive: boolean,
): Promise<Pick<RecoverSecretResult, 'releasesDeleted'>> {
  const releases = forMe.filter((f) => f.releasedTo !== undefined);
  if (releases.length === 0) return {};
  const files = releases.map((f) => f.file);
  let remove = wanted ?? false;
  if (wanted === undefined && interactive) {
    const action = vscode.l10n.t('Delete Release Files');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the released shares that let you recover "{0}"?', set.name),
      {
        modal: true,
        detail: [
          vscode.l10n.t(
            'While they are in the repository, you can recover the secret again at any time without the other custodians ({0}).',
            [...new Set(releases.map((f) => f.custodian.name))].join(', '),
          ),
          vscode.l10n.t('Delete Release Files deletes them permanently (not to the trash): {0}. Cancel keeps them.', files.join(', ')),
          vscode.l10n.t('Then commit the deletion. Earlier commits still hold the files.'),
        ].join('\n\n'),
      },
      // One button: VS Code's Cancel keeps them (a Keep Them beside it did the same, and read as a third choice).
      action,
    );
    remove = answer === action;
  }
  if (!remove) return {};
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const f of releases) {
    try {
      await deps.store.deleteFile(f.uri);
      deleted.push(f.file);
    } catch (err) {
      failed.push(`${f.file} (${describeError(err)})`);
    }
  }
  deps.services.log.info(`Deleted the release files of "${set.name}" after recovering: ${deleted.join(', ')}.`);
  if (failed.length) {
    throw new CustodianError(vscode.l10n.t('Could not delete {0} of "{1}".', failed.join(', '), set.name), { hint: vscode.l10n.t('Delete them yourself, then commit the deletion.') });
  }
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Deleted {0} from "{1}". Commit the deletion so the released shares leave the repository.', deleted.join(', '), set.name),
  );
  return { releasesDeleted: deleted };
}

async function pickOutput(): Promise<RecoverOutput | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(eye) Show in an Editor'), description: vscode.l10n.t('read-only, never saved'), output: 'untitled' as const },
      { label: vscode.l10n.t('$(copy) Copy to Clipboard'), description: vscode.l10n.t('cleared after a while'), output: 'clipboard' as const },
      { label: vscode.l10n.t('$(lock) Save Encrypted…'), description: vscode.l10n.t('a .enc file for the people you choose'), output: 'encrypted' as const },
    ],
    { title: vscode.l10n.t('Recover Secret'), placeHolder: vscode.l10n.t('Enough shares are here. What should happen with the secret?') },
  );
  return picked?.output;
}

async function resolveRecipients(deps: ShamirDeps, wanted: string[] | undefined, people: Person[]): Promise<Person[] | undefined> {
  const me = deps.services.keyStore.getDefault();
  if (wanted !== undefined) {
    if (!Array.isArray(wanted) || wanted.length === 0) throw new InvalidArgumentError(vscode.l10n.t('"recipients" must be a non-empty array of fingerprints.'));
    return wanted.map((fp) => {
      const found = people.find((p) => p.fingerprint === fp);
      if (!found) throw new InvalidArgumentError(vscode.l10n.t('{0} is not a teammate, a contact or one of your keys.', fp));
      return found;
    });
  }
  const { shortFingerprint } = await lazyCore.keys();
  const picked = await vscode.window.showQuickPick(
    people.map((p) => ({
      // iconPath, not `$(…)` in the label: a multi-select picker's hover shows its label raw.
      label: p.label,
      iconPath: new vscode.ThemeIcon(p.kind === 'me' ? 'key' : 'person'),
      description: `${p.kind === 'me' ? vscode.l10n.t('one of your keys') : p.kind === 'teammate' ? vscode.l10n.t('teammate') : vscode.l10n.t('contact')} · ${shortFingerprint(p.fingerprint)}`,
      picked: p.fingerprint === me?.fingerprint,
      person: p,
    })),
    { title: vscode.l10n.t('Recover Secret: encrypt to'), placeHolder: vscode.l10n.t('Who can open the encrypted file?'), canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  if (picked.length === 0) throw new InvalidArgumentError(vscode.l10n.t('Pick at least one recipient.'));
  return picked.map((p) => p.person);
}

async function writeEncrypted(deps: ShamirDeps, set: ShareSet, secret: Uint8Array, recipients: Person[], a: Partial<RecoverSecretArgs>): Promise<vscode.Uri | undefined> {
  const { services } = deps;
  let uri = a.uri;
  let overwrite = a.overwrite ?? false;
  if (!uri) {
    uri = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save the secret of "{0}" encrypted', set.name),
      defaultUri: vscode.Uri.joinPath(set.folder.uri, `${set.name}.enc`),
      filters: { [vscode.l10n.t('Custodian encrypted file')]: ['enc'] },
    });
    if (!uri) return undefined;
    overwrite = true; // the save dialog asked already
  }
  const [{ encryptBytes }, backend] = await Promise.all([lazyCore.envelope(), services.backend()]);
  const identities = new MyIdentities(services);
  try {
    // The recovered secret goes to the people picked here, never "the team" (FORMAT.md §3.4).
    const sealed = await encryptBytes(secret, { recipients: recipients.map((p) => p.key), signer: await identities.dealer(), backend, recipientPolicy: 'chosen' });
    await writeFileAtomic(uri, sealed, { overwrite }).catch((err: unknown) => {
      if (err instanceof vscode.FileSystemError && err.code === 'FileExists') {
        throw new CustodianError(vscode.l10n.t('{0} already exists.', vscode.workspace.asRelativePath(uri!)), { hint: vscode.l10n.t('Choose another file, or pass overwrite: true.') });
      }
      throw err;
    });
    return uri;
  } finally {
    identities.dispose();
  }
}
