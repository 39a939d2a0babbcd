// Split Secret…: a secret from a selection, a file or a masked input box becomes a share set: one
// share per custodian, each sealed to that custodian and signed by me (the dealer), plus a manifest.
import * as vscode from 'vscode';
import { constantTimeEqual, hexEncode, utf8Encode, zeroize } from '../../../core/bytes';
import { CustodianError, InvalidArgumentError } from '../../../core/errors';
import type { Share } from '../../../core/shamir';
import { MyIdentities, sealShare } from '../../shamir/share-crypto';
import {
  MANIFEST_FILE,
  MANIFEST_TYPE,
  MANIFEST_VERSION,
  RELEASE_INFIX,
  ShareSetError,
  defaultThreshold,
  fileNamePart,
  parseManifest,
  shareFileName,
  splitNote,
  type ShareSetManifest,
} from '../../shamir/share-set';
import type { RosterMember } from '../../storage/roster';
import { targetFolder } from '../../storage/workspace-files';
import { fromArgument, is, type Shape } from '../arguments';
import { setNameProblem } from '../../ui/name-rules';
import { BACK, inputStep, pickManyStep, pickStep, runSteps, type Back } from '../../ui/multi-step';
import { isInteractive } from '../pick';
import type { ShamirDeps } from './deps';
import { lazyCore } from '../../lazy-core';

/** The core's limit (docs/SHAMIR.md §7), as in `custodian split`. */

export interface SplitSecretArgs {
  /** The secret itself (tests, other commands). */
  secret?: string | Uint8Array;
  /** A file whose bytes are the secret. */
  uri?: vscode.Uri;
  /** Split the active editor's selection. */
  source?: 'selection';
  setName?: string;
  /** Custodians by fingerprint (`SHA256:…`) or roster name. */
  custodians?: string[];
  threshold?: number;
  /** Replace the selection with a note / delete the file once the set is written and read back. Default: ask (interactive) or keep. */
  deleteOriginal?: boolean;
  /** The answer to "your own keys alone reach the threshold: split anyway?" (asked only then). */
  confirm?: boolean;
}

const SPLIT_SECRET_ARGS: Shape<SplitSecretArgs> = {
  secret: is.either(is.string, is.bytes),
  uri: is.uri,
  source: is.oneOf('selection'),
  setName: is.string,
  custodians: is.strings,
  threshold: is.integer,
  deleteOriginal: is.boolean,
  confirm: is.boolean,
};

export interface SplitSecretResult {
  setName: string;
  setId: string;
  threshold: number;
  total: number;
  custodians: { name: string; fingerprint: string; index: number }[];
  dir: vscode.Uri;
  manifest: vscode.Uri;
  shareFiles: vscode.Uri[];
  /** 'replaced' (selection), 'deleted' (file), or 'kept'. */
  original: 'replaced' | 'deleted' | 'kept' | 'none';
}

type Source =
  | { kind: 'input'; bytes: Uint8Array }
  | { kind: 'file'; bytes: Uint8Array; uri: vscode.Uri }
  | { kind: 'selection'; bytes: Uint8Array; document: vscode.TextDocument; range: vscode.Range; text: string };

export async function splitSecret(deps: ShamirDeps, arg: unknown): Promise<SplitSecretResult | undefined> {
  const { services, store } = deps;
  const a = fromArgument(arg, SPLIT_SECRET_ARGS);
  const interactive = isInteractive(arg);
  if (services.keyStore.list().length === 0) {
    throw new CustodianError(vscode.l10n.t('Splitting a secret needs your key: you sign every share as the dealer.'), {
      hint: vscode.l10n.t('Run "Custodian: Generate Key" or "Custodian: Import Private Key" first.'),
    });
  }
  // Everything that can refuse is checked before anyone types a secret: the key above, the team here.
  const given = await givenSource(arg, a);
  const folder = targetFolder(given?.kind === 'file' ? given.uri : undefined);
  const members = await teamMembers(deps, folder, a.custodians !== undefined);
  // The limit is the core's (SHAMIR.md §7); the module loads on first use, not with the extension.
  const { MAX_SECRET_BYTES } = await lazyCore.shamir();
  const answers: Answers = { source: given, custodians: a.custodians === undefined ? undefined : namedCustodians(members, a.custodians), threshold: a.threshold, setName: a.setName };
  if (!(await askSplitDetails(deps, folder, members, answers, MAX_SECRET_BYTES))) {
    if (answers.source) zeroize(answers.source.bytes);
    return undefined;
  }
  const source = answers.source!;
  const custodians = answers.custodians!;
  const identities = new MyIdentities(services);
  const shares: Share[] = [];
  try {
    if (source.bytes.length === 0) throw new InvalidArgumentError(vscode.l10n.t('The secret is empty: there is nothing to split.'));
    if (source.bytes.length > MAX_SECRET_BYTES) {
      throw new InvalidArgumentError(vscode.l10n.t('The secret is too large to split ({0} bytes; at most {1}).', source.bytes.length, MAX_SECRET_BYTES), {
        hint: vscode.l10n.t('Encrypt the file instead and split its key or passphrase.'),
      });
    }
    checkCustodians(custodians);
    await vetCustodians(deps, folder, custodians);
    const total = custodians.length;
    const threshold = answers.threshold!;
    if (!Number.isInteger(threshold) || threshold < 2 || threshold > total) {
      throw new InvalidArgumentError(vscode.l10n.t('The threshold must be an integer from 2 to {0} (the number of custodians), got {1}.', total, threshold));
    }
    if (!answers.soloAsked && (await soloRecovery(deps, custodians, threshold, a.confirm, false)) !== 'ok') return undefined;
    const setName = answers.setName!;
    const invalid = setNameProblem(setName);
    if (invalid) throw new InvalidArgumentError(vscode.l10n.t('"{0}" cannot be a share set name. {1}', setName, invalid));
    if (await store.exists(folder, setName)) throw new ShareSetError(vscode.l10n.t('A share set named "{0}" already exists.', setName), { hint: vscode.l10n.t('Choose another name.') });

    const dealerKey = await identities.dealer();
    const dealerInfo = services.keyStore.findByFingerprint(dealerKey.publicKey.fingerprint)!;
    const rosterMe = (await services.roster.members()).find((m) => m.key.fingerprint === dealerKey.publicKey.fingerprint);
    const dealerName = rosterMe?.name ?? fileNamePart(dealerInfo.label ?? dealerInfo.name) ?? `key-${dealerInfo.id.slice(0, 8)}`;

    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Custodian: splitting into "{0}" ({1} of {2})…', setName, threshold, total) },
      async () => {
        const { splitSecret: split, combineShares } = await lazyCore.shamir();
        shares.push(...split(source.bytes, { threshold, shares: total }));
        // Refuse to write a set that would not give the secret back.
        const check = combineShares(shares.slice(0, threshold));
        const same = constantTimeEqual(check, source.bytes);
        zeroize(check);
        if (!same) throw new ShareSetError(vscode.l10n.t('Internal error: the shares did not recombine to the secret. Nothing was written.'));
        const manifest: ShareSetManifest = {
          type: MANIFEST_TYPE,
          version: MANIFEST_VERSION,
          name: setName,
          setId: hexEncode(shares[0].setId),
          threshold,
          total,
          created: new Date().toISOString(),
          dealer: { name: dealerName, fingerprint: dealerKey.publicKey.fingerprint },
          custodians: custodians.map((c, i) => ({ name: c.name, fingerprint: c.key.fingerprint, index: shares[i].index })),
        };
        const files = new Map<string, Uint8Array>();
        for (let i = 0; i < total; i++) files.set(shareFileName(custodians[i].name), await sealShare(services, shares[i], custodians[i].key, dealerKey));
        const set = await store.create(folder, manifest, files);
        await readBack(set.dir, manifest, files);
        return { set, manifest, files };
      },
    );
    const { set, manifest, files } = result;
    const original = await removeOriginal(source, manifest, a.deleteOriginal, interactive);
    services.log.info(`Split a secret into share set "${setName}" (${threshold} of ${total}) in ${vscode.workspace.asRelativePath(set.dir)}.`);
    if (interactive) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Split into share set "{0}": any {1} of {2} can recover it. Commit {3} to share it.',
          setName,
          threshold,
          custodians.map((c) => c.name).join(', '),
          vscode.workspace.asRelativePath(set.dir),
        ),
      );
    }
    return {
      setName,
      setId: manifest.setId,
      threshold,
      total,
      custodians: manifest.custodians,
      dir: set.dir,
      manifest: vscode.Uri.joinPath(set.dir, MANIFEST_FILE),
      shareFiles: [...files.keys()].map((f) => vscode.Uri.joinPath(set.dir, f)),
      original,
    };
  } finally {
    for (const s of shares) zeroize(s.value);
    zeroize(source.bytes);
    identities.dispose();
  }
}

/** The secret the caller named (argument, selection or file); undefined when it is to be typed. */
async function givenSource(arg: unknown, a: Partial<SplitSecretArgs>): Promise<Source | undefined> {
  if (a.secret !== undefined) return { kind: 'input', bytes: typeof a.secret === 'string' ? utf8Encode(a.secret) : new Uint8Array(a.secret) };
  const editor = vscode.window.activeTextEditor;
  const fromUri = arg instanceof vscode.Uri ? arg : a.uri;
  const selected = editor && !editor.selection.isEmpty ? editor : undefined;
  // The editor context menu passes the document's uri: then the selection is meant.
  if (a.source === 'selection' || (selected && (!fromUri || fromUri.toString() === selected.document.uri.toString()) && !a.uri)) {
    if (!selected) throw new CustodianError(vscode.l10n.t('There is no selected text to split.'), { hint: vscode.l10n.t('Select the secret in an editor first.') });
    const range = new vscode.Range(selected.selection.start, selected.selection.end);
    const text = selected.document.getText(range);
    return { kind: 'selection', bytes: utf8Encode(text), document: selected.document, range, text };
  }
  if (fromUri) {
    const stat = await vscode.workspace.fs.stat(fromUri);
    if (stat.type & vscode.FileType.Directory) throw new InvalidArgumentError(vscode.l10n.t('{0} is a folder, not a file.', vscode.workspace.asRelativePath(fromUri)));
    const { MAX_SECRET_BYTES } = await lazyCore.shamir();
    if (stat.size > MAX_SECRET_BYTES) throw new InvalidArgumentError(vscode.l10n.t('The file is too large to split ({0} bytes; at most {1}).', stat.size, MAX_SECRET_BYTES));
    return { kind: 'file', bytes: await vscode.workspace.fs.readFile(fromUri), uri: fromUri };
  }
  return undefined;
}

interface Answers {
  source?: Source;
  custodians?: RosterMember[];
  threshold?: number;
  setName?: string;
  /** The "you alone could recover it" question was settled while picking the threshold. */
  soloAsked?: boolean;
}

/** The secret, custodians, threshold and set name the caller did not give, with Back between them. */
async function askSplitDetails(deps: ShamirDeps, folder: vscode.WorkspaceFolder, members: RosterMember[], answers: Answers, maxBytes: number): Promise<boolean> {
  const title = vscode.l10n.t('Split Secret');
  const steps: (() => Promise<true | Back | undefined>)[] = [];
  // The typed secret is asked twice: a typo in a break-glass secret would only be found when it is needed.
  const count = [!answers.source, !answers.source, !answers.custodians, answers.threshold === undefined, answers.setName === undefined].filter(Boolean).length;
  const position = (label: string): { title: string; step: number; totalSteps: number } => ({ title: `${title}: ${label}`, step: steps.length + 1, totalSteps: count });
  if (!answers.source) {
    const at = position(vscode.l10n.t('the secret'));
    let typed: string | undefined;
    let differed = false;
    steps.push(async () => {
      const value = await inputStep({
        ...at,
        prompt: differed
          ? vscode.l10n.t('The two entries differ. Type or paste the secret again.')
          : vscode.l10n.t('Type or paste the secret. It is split in memory and never written anywhere in the clear.'),
        password: true,
        value: typed,
        validate: (v) =>
          v.length === 0 ? vscode.l10n.t('Enter the secret.') : utf8Encode(v).length > maxBytes ? vscode.l10n.t('The secret is too large to split ({0} bytes; at most {1}).', utf8Encode(v).length, maxBytes) : undefined,
      });
      if (typeof value !== 'string') return value;
      typed = value;
      return true;
    });
    const again = position(vscode.l10n.t('the secret again'));
    steps.push(async () => {
      const value = await inputStep({
        ...again,
        prompt: vscode.l10n.t('Enter the same secret again.'),
        password: true,
        validate: (v) => (v.length === 0 ? vscode.l10n.t('Enter the secret again.') : undefined),
      });
      if (typeof value !== 'string') return value;
      const first = utf8Encode(typed!);
      const second = utf8Encode(value);
      const same = constantTimeEqual(first, second);
      zeroize(second);
      // Back here from a later step: the earlier answer is replaced.
      if (answers.source) zeroize(answers.source.bytes);
      answers.source = undefined;
      if (!same) {
        // Back to the first entry, emptied: which of the two was mistyped is not known.
        zeroize(first);
        typed = undefined;
        differed = true;
        return BACK;
      }
      differed = false;
      answers.source = { kind: 'input', bytes: first };
      return true;
    });
  }
  if (!answers.custodians) {
    const at = position(vscode.l10n.t('custodians'));
    steps.push(async () => {
      const picked = await pickCustodians(deps, members, answers.custodians, at);
      if (picked === undefined || picked === BACK) return picked;
      answers.custodians = picked;
      return true;
    });
  }
  if (answers.threshold === undefined) {
    const at = position(vscode.l10n.t('threshold'));
    steps.push(async () => {
      const picked = await pickThreshold(answers.custodians!.length, at);
      if (picked === undefined || picked === BACK) return picked;
      const solo = await soloRecovery(deps, answers.custodians!, picked, undefined, true);
      if (solo !== 'ok') return solo === 'back' ? BACK : undefined;
      answers.threshold = picked;
      answers.soloAsked = true;
      return true;
    });
  }
  if (answers.setName === undefined) {
    const at = position(vscode.l10n.t('set name'));
    steps.push(async () => {
      const name = await promptSetName(deps, folder, answers.source, at);
      if (typeof name !== 'string') return name;
      answers.setName = name;
      return true;
    });
  }
  return runSteps(steps);
}

/**
 * Custodians come from the roster of the folder the set is written to: at least two, checked before the
 * secret is asked for. Offered as a list to pick from, a roster with unusable entries is refused (a
 * teammate would be missing from it without a word); named custodians are each checked instead.
 */
async function teamMembers(deps: ShamirDeps, folder: vscode.WorkspaceFolder, named: boolean): Promise<RosterMember[]> {
  const members = await deps.session.rosterMembers(folder, named ? 'skip' : 'refuse');
  if (members.length < 2) {
    throw new CustodianError(vscode.l10n.t('Splitting needs at least 2 custodians from the team roster; it has {0}.', members.length), {
      hint: vscode.l10n.t('Add teammates (Custodian: Add Teammate…) first.'),
    });
  }
  return members.filter((m) => !m.name.includes(RELEASE_INFIX));
}

/** Each share is sealed to a roster key: a changed key or an unvetted newcomer is asked about first. */
async function vetCustodians(deps: ShamirDeps, folder: vscode.WorkspaceFolder, chosen: RosterMember[]): Promise<void> {
  const vetted = await deps.session.vetChosen(chosen.map((m) => ({ fingerprint: m.key.fingerprint, name: m.name, source: 'roster' as const, key: m.key })), folder.uri);
  if (vetted.length !== chosen.length) {
    throw new CustodianError(vscode.l10n.t('A custodian was excluded: nothing was split.'), { hint: vscode.l10n.t('Run Split Secret again and pick custodians whose keys you trust.') });
  }
}

function namedCustodians(usable: RosterMember[], wanted: readonly string[]): RosterMember[] {
  return wanted.map((w) => {
    const found = usable.find((m) => m.key.fingerprint === w || m.name === w);
    if (!found) throw new InvalidArgumentError(vscode.l10n.t('"{0}" is not a usable key in the team roster.', w));
    return found;
  });
}

async function pickCustodians(
  deps: ShamirDeps,
  usable: RosterMember[],
  previous: RosterMember[] | undefined,
  at: { title: string; step: number; totalSteps: number },
): Promise<RosterMember[] | Back | undefined> {
  const mine = new Set(deps.services.keyStore.list().map((k) => k.fingerprint));
  const { shortFingerprint } = await lazyCore.keys();
  const items = usable.map((m) => ({
    // iconPath, not `$(person)` in the label: a multi-select picker's hover shows its label raw.
    label: m.name,
    iconPath: new vscode.ThemeIcon('person'),
    description: [...(m.identity !== m.name ? [m.identity] : []), shortFingerprint(m.key.fingerprint), ...(mine.has(m.key.fingerprint) ? [vscode.l10n.t('you')] : [])].join(' · '),
    member: m,
    picked: previous?.includes(m) ?? false,
  }));
  const picked = await pickManyStep({
    ...at,
    items,
    placeholder: vscode.l10n.t('Pick the custodians (at least 2): each gets one share'),
    validate: (p) => (p.length >= 2 ? undefined : vscode.l10n.t('Pick at least 2 custodians (you picked {0}): one person alone is not a split', p.length)),
  });
  return picked === undefined || picked === BACK ? picked : picked.map((p) => p.member);
}

/**
 * The point of a split is that no one person can recover the secret. When I hold the private keys of T
 * or more chosen custodians (a second key of mine in the roster, a teammate's key imported to test), I
 * alone can. Asked right after the threshold is picked: the first (default) button goes back to the
 * custodians, *Split Anyway* goes on. A caller that gave custodians and threshold and did not confirm
 * is refused. 'ok': not the case, or accepted.
 */
async function soloRecovery(deps: ShamirDeps, custodians: RosterMember[], threshold: number, confirmed: boolean | undefined, interactive: boolean): Promise<'ok' | 'back' | 'cancel'> {
  const mine = new Set(deps.services.keyStore.list().map((k) => k.fingerprint));
  const held = custodians.filter((c) => mine.has(c.key.fingerprint)).map((c) => c.name);
  if (held.length < threshold || confirmed === true) return 'ok';
  const message = vscode.l10n.t('You hold the private keys of {0} of these custodians ({1}): with a threshold of {2}, you alone could recover the secret.', held.length, held.join(', '), threshold);
  // A threshold above the keys I hold exists only while someone else's key is among the custodians.
  const hint =
    held.length < custodians.length
      ? vscode.l10n.t('Pick custodians whose keys are on other people\'s machines, or raise the threshold above {0}.', held.length)
      : vscode.l10n.t('You hold the keys of all {0} custodians: pick custodians whose keys are on other people\'s machines.', custodians.length);
  if (!interactive) throw new InvalidArgumentError(message, { hint });
  const again = vscode.l10n.t('Choose Other Custodians');
  const anyway = vscode.l10n.t('Split Anyway');
  const answer = await vscode.window.showWarningMessage(message, { modal: true, detail: hint }, again, anyway);
  return answer === anyway ? 'ok' : answer === again ? 'back' : 'cancel';
}

function checkCustodians(chosen: RosterMember[]): void {
  if (new Set(chosen.map((c) => c.key.fingerprint)).size !== chosen.length) throw new InvalidArgumentError(vscode.l10n.t('Each custodian can be picked only once.'));
  if (chosen.length < 2) throw new InvalidArgumentError(vscode.l10n.t('Pick at least 2 custodians (got {0}): one person alone is not a split.', chosen.length));
  if (chosen.length > 255) throw new InvalidArgumentError(vscode.l10n.t('At most 255 custodians.'));
}

async function pickThreshold(total: number, at: { title: string; step: number; totalSteps: number }): Promise<number | Back | undefined> {
  const preferred = defaultThreshold(total);
  const items = Array.from({ length: total - 1 }, (_, i) => i + 2).map((t) => ({
    label: vscode.l10n.t('{0} of {1}', t, total),
    // With two custodians, 2 of 2 is the only split: it is everyone, which "majority" would not say.
    description: t === total ? vscode.l10n.t('everyone must take part') : t === preferred ? vscode.l10n.t('majority (recommended)') : undefined,
    threshold: t,
  }));
  items.sort((x, y) => Number(y.threshold === preferred) - Number(x.threshold === preferred));
  const picked = await pickStep({ ...at, items, placeholder: vscode.l10n.t('How many custodians must take part to recover the secret?') });
  return picked === undefined || picked === BACK ? picked : picked.threshold;
}

async function promptSetName(
  deps: ShamirDeps,
  folder: vscode.WorkspaceFolder,
  source: Source | undefined,
  at: { title: string; step: number; totalSteps: number },
): Promise<string | Back | undefined> {
  const base = source?.kind === 'file' ? fileNamePart(source.uri.path.split('/').pop()?.replace(/\.[^.]*$/, '') ?? '') : undefined;
  return inputStep({
    ...at,
    prompt: vscode.l10n.t('A name for the share set (a folder under .custodian/shares/)'),
    value: base ?? `secret-${new Date().toISOString().slice(0, 10)}`,
    validate: async (v) => setNameProblem(v) ?? ((await deps.store.exists(folder, v)) ? vscode.l10n.t('A share set named "{0}" already exists.', v) : undefined),
  });
}

/** Reads the written set back and compares it byte for byte, before the original may be removed. */
async function readBack(dir: vscode.Uri, manifest: ShareSetManifest, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, MANIFEST_FILE)));
  const readManifest = parseManifest(text, manifest.name);
  if (JSON.stringify(readManifest) !== JSON.stringify(manifest)) throw new ShareSetError(vscode.l10n.t('The manifest of "{0}" did not read back as written.', manifest.name));
  for (const [file, bytes] of files) {
    const back = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, file));
    if (!constantTimeEqual(back, bytes)) {
      throw new ShareSetError(vscode.l10n.t('{0} of "{1}" did not read back as written.', file, manifest.name), { hint: vscode.l10n.t('Check the disk, delete the set and split again.') });
    }
  }
}

async function removeOriginal(source: Source, manifest: ShareSetManifest, wanted: boolean | undefined, interactive: boolean): Promise<SplitSecretResult['original']> {
  if (source.kind === 'input') return 'none';
  let remove = wanted ?? false;
  if (wanted === undefined && interactive) {
    if (source.kind === 'selection') {
      const action = vscode.l10n.t('Replace Selection with a Note');
      remove =
        (await vscode.window.showInformationMessage(
          vscode.l10n.t('The secret is split into "{0}". Replace the selected secret with "{1}"?', manifest.name, splitNote(manifest)),
          action,
          vscode.l10n.t('Keep'),
        )) === action;
    } else {
      const action = vscode.l10n.t('Delete File');
      remove =
        (await vscode.window.showWarningMessage(
          vscode.l10n.t('The secret is split into "{0}" and the set was read back. Delete the original file?', manifest.name),
          { modal: true, detail: vscode.l10n.t('{0} is deleted permanently (not moved to the trash).', vscode.workspace.asRelativePath(source.uri)) },
          action,
        )) === action;
    }
  }
  if (!remove) return 'kept';
  if (source.kind === 'selection') {
    if (source.document.isClosed || source.document.getText(source.range) !== source.text) {
      throw new CustodianError(vscode.l10n.t('The share set was written, but the selection changed meanwhile, so it was not replaced.'), {
        hint: vscode.l10n.t('Remove the secret from the editor yourself.'),
      });
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(source.document.uri, source.range, splitNote(manifest));
    if (!(await vscode.workspace.applyEdit(edit))) throw new CustodianError(vscode.l10n.t('The share set was written, but the selection could not be replaced.'));
    return 'replaced';
  }
  // Not to the trash: a trashed secret is still a secret on disk.
  await vscode.workspace.fs.delete(source.uri, { useTrash: false });
  return 'deleted';
}
