// Release My Share…: as a custodian, open my share (checking the dealer's signature) and re-seal it
// to the person recovering, signed by me, as `<me>.release-to-<them>.share.enc` beside it.
import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import { CustodianError, InvalidArgumentError } from '../../../core/errors';
import type { Share } from '../../../core/shamir';
import { MyIdentities, knownPeople, openShareFile, sealShare, type Person } from '../../shamir/share-crypto';
import { ShareSetError, releaseFileName, shareFileName, type ManifestCustodian } from '../../shamir/share-set';
import type { ShareSetStatus } from '../../shamir/share-store';
import { fromArgument, is, type Shape } from '../arguments';
import { pickSet, SET_ARGS, type SetArgs, type ShamirDeps } from './deps';
import { lazyCore } from '../../lazy-core';

export interface ReleaseShareArgs extends SetArgs {
  /** Who recovers: a fingerprint (`SHA256:…`) of a teammate, a contact or one of my keys. */
  recipient?: string;
  /** Which of my custodian entries, by name, when I hold more than one share of the set. */
  custodian?: string | ManifestCustodian;
  /** The answer to "Release your share … to them?" (asked otherwise). */
  confirm?: boolean;
}

const RELEASE_SHARE_ARGS: Shape<ReleaseShareArgs> = {
  ...SET_ARGS,
  recipient: is.string,
  custodian: is.either(is.string, is.reference<ManifestCustodian>('a custodian entry', { name: is.string })),
  confirm: is.boolean,
};

export interface ReleaseShareResult {
  setName: string;
  custodian: string;
  recipient: { name: string; fingerprint: string };
  uri: vscode.Uri;
  /** True when an earlier release to the same person was replaced. */
  replaced: boolean;
}

export async function releaseShare(deps: ShamirDeps, arg: unknown): Promise<ReleaseShareResult | undefined> {
  const { services, store } = deps;
  const a = fromArgument(arg, RELEASE_SHARE_ARGS);
  const set = await pickSet(deps, arg, vscode.l10n.t('Release My Share'), vscode.l10n.t('Release your share of which set?'));
  if (!set) return undefined;
  const m = set.manifest;
  const identities = new MyIdentities(services);
  let share: Share | undefined;
  try {
    const mine = m.custodians.filter((c) => identities.has(c.fingerprint));
    if (mine.length === 0) {
      throw new CustodianError(vscode.l10n.t('None of your keys is a custodian of "{0}".', m.name), {
        hint: vscode.l10n.t('Its custodians are {0}. Import the key that holds a share, or ask one of them.', m.custodians.map((c) => c.name).join(', ')),
      });
    }
    const wanted = typeof a.custodian === 'string' ? a.custodian : a.custodian?.name;
    let custodian: ManifestCustodian | undefined;
    if (wanted !== undefined) {
      custodian = mine.find((c) => c.name === wanted);
      if (!custodian) throw new InvalidArgumentError(vscode.l10n.t('"{0}" is not one of your custodian entries in "{1}".', wanted, m.name));
    } else if (mine.length === 1) {
      custodian = mine[0];
    } else {
      const picked = await vscode.window.showQuickPick(
        mine.map((c) => ({ label: c.name, description: c.fingerprint, custodian: c })),
        { placeHolder: vscode.l10n.t('You hold several shares of this set: release which one?') },
      );
      custodian = picked?.custodian;
    }
    if (!custodian) return undefined;

    const status = await store.status(set);
    const info = status.files.find((f) => f.file === shareFileName(custodian.name));
    if (!info) throw new ShareSetError(vscode.l10n.t('{0} is missing from "{1}".', shareFileName(custodian.name), m.name), { hint: vscode.l10n.t('Restore it from version control.') });

    const recipient = await pickRecipient(deps, a.recipient, custodian);
    if (!recipient) return undefined;
    // A teammate's roster entry is checked like any encryption to the team: a swapped key is asked about.
    if (recipient.kind === 'teammate') {
      const vetted = await services.session.vetChosen([{ fingerprint: recipient.fingerprint, name: recipient.label, source: 'roster', key: recipient.key }], set.dir);
      if (vetted.length === 0) return undefined;
    }
    if (recipient.fingerprint === custodian.fingerprint) {
      throw new InvalidArgumentError(vscode.l10n.t('That is {0}\'s own key: your share already counts when you recover with it.', custodian.name), {
        hint: vscode.l10n.t('Release it to the person who will recover the secret.'),
      });
    }

    if (a.confirm !== true && !(await confirmRelease(status, custodian, recipient))) return undefined;

    share = await openShareFile(services, m, info, await store.readFile(info.uri), identities);
    const signer = await identities.get(custodian.fingerprint);
    const sealed = await sealShare(services, share, recipient.key, signer);
    const uri = vscode.Uri.joinPath(set.dir, releaseFileName(custodian.name, recipient.filePart));
    const earlier = status.files.find((f) => f.uri.toString() === uri.toString());
    if (earlier && !(earlier.recipients.length === 1 && earlier.recipients[0] === recipient.fingerprint)) {
      throw new ShareSetError(vscode.l10n.t('{0} already exists and is sealed to someone else.', vscode.workspace.asRelativePath(uri)), {
        hint: vscode.l10n.t('Delete it first if that release is no longer wanted.'),
      });
    }
    await store.writeAtomic(uri, sealed, earlier !== undefined);
    services.log.info(`Released ${custodian.name}'s share of "${m.name}" to ${recipient.label} (${recipient.fingerprint}).`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Released your share of "{0}" to {1}. Commit {2} so they can recover.', m.name, recipient.label, vscode.workspace.asRelativePath(uri)),
    );
    return { setName: m.name, custodian: custodian.name, recipient: { name: recipient.label, fingerprint: recipient.fingerprint }, uri, replaced: earlier !== undefined };
  } finally {
    if (share) zeroize(share.value);
    identities.dispose();
  }
}

/**
 * A release hands over a share for good: the recipient is named, with what it lets them do (how many of
 * the needed shares they then hold), before anything is sealed: a quick pick's first row, taken with
 * one Enter, released to whoever was listed first. Escape or Cancel releases nothing.
 */
async function confirmRelease(status: ShareSetStatus, custodian: ManifestCustodian, recipient: Person): Promise<boolean> {
  const m = status.set.manifest;
  const theirs = new Set(status.files.filter((f) => !f.problem && f.recipients.includes(recipient.fingerprint)).map((f) => f.custodian.index));
  theirs.add(custodian.index);
  const held = theirs.size;
  const { shortFingerprint } = await lazyCore.keys();
  const action = vscode.l10n.t('Release to {0}', recipient.label);
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Release your share of "{0}" to {1}?', m.name, recipient.label),
    {
      modal: true,
      detail: [
        held >= m.threshold
          ? vscode.l10n.t('With it, {0} holds {1} of the {2} shares needed and can recover the secret alone, now or at any later time.', recipient.label, Math.min(held, m.threshold), m.threshold)
          : vscode.l10n.t('With it, {0} holds {1} of the {2} shares needed; once they hold {2}, they can recover the secret without you.', recipient.label, held, m.threshold),
        vscode.l10n.t('Your share ({0}) is sealed to {1}\'s key {2} only and signed by you.', custodian.name, recipient.label, shortFingerprint(recipient.fingerprint)),
      ].join('\n\n'),
    },
    action,
  );
  return answer === action;
}

async function pickRecipient(deps: ShamirDeps, fingerprint: string | undefined, custodian: ManifestCustodian): Promise<Person | undefined> {
  const people = await knownPeople(deps.services);
  if (fingerprint !== undefined) {
    const found = people.find((p) => p.fingerprint === fingerprint);
    if (!found) throw new InvalidArgumentError(vscode.l10n.t('{0} is not a teammate, a contact or one of your keys.', fingerprint));
    return found;
  }
  const candidates = people.filter((p) => p.fingerprint !== custodian.fingerprint);
  if (candidates.length === 0) throw new CustodianError(vscode.l10n.t('There is nobody to release the share to.'), { hint: vscode.l10n.t('Add the teammate or contact who will recover.') });
  const { shortFingerprint } = await lazyCore.keys();
  const icon = { teammate: '$(person)', contact: '$(account)', me: '$(key)' } as const;
  const picked = await vscode.window.showQuickPick(
    candidates.map((p) => ({
      label: `${icon[p.kind]} ${p.label}`,
      description: p.kind === 'me'
          ? vscode.l10n.t('one of your keys · {0}', shortFingerprint(p.fingerprint))
          : p.kind === 'teammate'
            ? vscode.l10n.t('teammate · {0}', shortFingerprint(p.fingerprint))
            : vscode.l10n.t('contact · {0}', shortFingerprint(p.fingerprint)),
      person: p,
    })),
    { title: vscode.l10n.t('Release My Share ({0})', custodian.name), placeHolder: vscode.l10n.t('Who is recovering the secret? The share is sealed to them only.'), matchOnDescription: true },
  );
  return picked?.person;
}
