// Choosing recipients: a multi-select QuickPick of the roster (the team of the file's workspace folder
// preselected; a roster with unusable entries is refused, so nobody silently drops out), contacts and my
// own keys; `custodian.alwaysIncludeMyself` adds my default key. Tests pass `{ recipients: fingerprints }`.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import type { CryptoSession, KnownKey } from '../../crypto-session';
import type { EncryptionServices } from './deps';
import { lazyCore } from '../../lazy-core';
import { is, type Shape } from '../arguments';
import { mismatchDescription } from '../../views/fingerprint-check';

export interface RecipientArgs {
  /** Recipient fingerprints ("SHA256:…"), each a roster member, contact or one of my keys. */
  recipients?: string[];
}

export const RECIPIENT_ARGS: Shape<RecipientArgs> = { recipients: is.strings };
// Icons as iconPath, not `$(…)` in the label: a multi-select picker's hover shows its label raw.
const SOURCE_ICON: Record<KnownKey['source'], string> = { roster: 'person', contact: 'account', mine: 'key' };

/** Resolves to the recipients (with my default key added per the setting), or undefined when cancelled. */
export async function chooseRecipients(services: EncryptionServices, session: CryptoSession, args: RecipientArgs, scope?: vscode.Uri): Promise<KnownKey[] | undefined> {
  const known = await session.knownKeys();
  if (args.recipients !== undefined) {
    const chosen = await session.resolve([...new Set(args.recipients)], known);
    return finish(session, chosen, scope);
  }
  const team = new Set((await session.rosterMembers(session.teamFolder(scope))).map((m) => m.key.fingerprint));
  if (known.length === 0) {
    throw new CustodianError(vscode.l10n.t('There is nobody to encrypt to yet.'), { hint: vscode.l10n.t('Generate a key, or add teammates to the roster first.') });
  }
  const { shortFingerprint } = await lazyCore.keys();
  const always = services.config(scope).alwaysIncludeMyself;
  const me = services.keyStore.getDefault();
  type Item = vscode.QuickPickItem & { key?: KnownKey };
  const items: Item[] = [];
  for (const source of ['roster', 'contact', 'mine'] as const) {
    const group = known.filter((k) => k.source === source);
    if (group.length === 0) continue;
    items.push({ label: sourceLabel(source), kind: vscode.QuickPickItemKind.Separator });
    for (const k of group) {
      const isMe = k.fingerprint === me?.fingerprint;
      const described = isMe && always
        ? vscode.l10n.t('{0}-bit · {1} · included unless unticked', k.key.bits, shortFingerprint(k.fingerprint))
        : vscode.l10n.t('{0}-bit · {1}', k.key.bits, shortFingerprint(k.fingerprint));
      items.push({
        label: k.name,
        iconPath: new vscode.ThemeIcon(SOURCE_ICON[source]),
        // Flagged where the choice is made; ticking it still asks before anything is sealed (vetChosen).
        description: session.fingerprintMismatched(k.fingerprint) ? `$(warning) ${mismatchDescription()} · ${described}` : described,
        // By fingerprint, whichever group the key is listed under: a teammate whose key is also in my
        // keychain (listed under "My keys") is still part of the team.
        // A key whose fingerprint did not match is not ticked for me: ticking it is a choice (and still asked about).
        picked: (team.has(k.fingerprint) || (isMe && always)) && !session.fingerprintMismatched(k.fingerprint),
        key: k,
      });
    }
  }
  // With no teammate listed (a team of one: me) "the whole team" would promise people who are not there.
  // Said in the title: a placeholder this long is cut off at the picker's width.
  const hasTeam = known.some((k) => k.source === 'roster');
  // A file for anyone but exactly the team records "chosen" (recipient-policy.ts): re-keying for the team
  // then leaves it alone. Said while ticking, not found out when a new teammate cannot open it.
  const wholeTeam = new Set(team);
  if (always && me) wholeTeam.add(me.fingerprint);
  const title = (selected: readonly Item[]): string => {
    if (!hasTeam) return vscode.l10n.t('Encrypt for… (no one else in the roster yet: only you can open it)');
    const chosen = new Set(selected.flatMap((i) => (i.key ? [i.key.fingerprint] : [])));
    const isTeam = chosen.size === wholeTeam.size && [...chosen].every((fp) => wholeTeam.has(fp));
    return isTeam ? vscode.l10n.t('Encrypt for…') : vscode.l10n.t('Encrypt for… only those ticked: Re-encrypt for Team will leave this file as it is');
  };
  const picked = await pickRecipients(items, title, hasTeam ? vscode.l10n.t('Whole team preselected; add contacts or your other keys') : vscode.l10n.t('Add teammates in the Team view to share with them'));
  if (!picked) return undefined;
  const chosen = picked.flatMap((i) => (i.key ? [i.key] : []));
  // My default key was ticked for me: unticked, it was left out on purpose (a key I no longer trust),
  // and is not added back by the setting.
  const unticked = always && me !== undefined && !chosen.some((k) => k.fingerprint === me.fingerprint);
  return finish(session, chosen, scope, unticked ? false : undefined);
}

/** A multi-select picker whose title follows the selection; undefined when cancelled. */
function pickRecipients<T extends vscode.QuickPickItem>(items: readonly T[], title: (selected: readonly T[]) => string, placeholder: string): Promise<readonly T[] | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  pick.canSelectMany = true;
  pick.matchOnDescription = true;
  pick.placeholder = placeholder;
  pick.items = items;
  pick.selectedItems = items.filter((i) => i.picked);
  pick.title = title(pick.selectedItems);
  return new Promise((resolve) => {
    let result: readonly T[] | undefined;
    const subscriptions = [
      pick.onDidChangeSelection((selected) => (pick.title = title(selected))),
      pick.onDidAccept(() => {
        result = [...pick.selectedItems];
        pick.hide();
      }),
      pick.onDidHide(() => {
        for (const d of subscriptions) d.dispose();
        pick.dispose();
        resolve(result);
      }),
    ];
    pick.show();
  });
}

async function finish(session: CryptoSession, chosen: KnownKey[], scope?: vscode.ConfigurationScope, includeMyself?: boolean): Promise<KnownKey[]> {
  // A teammate whose key changed or who is new in the roster is asked about before anything is sealed.
  const all = await session.withMyself(await session.vetChosen(chosen, scope instanceof vscode.Uri ? scope : undefined), scope, includeMyself);
  if (all.length === 0) throw new CustodianError(vscode.l10n.t('Choose at least one recipient.'));
  return all;
}

function sourceLabel(source: KnownKey['source']): string {
  return source === 'roster' ? vscode.l10n.t('Team') : source === 'contact' ? vscode.l10n.t('Contacts') : vscode.l10n.t('My keys');
}
