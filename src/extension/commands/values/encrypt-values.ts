// Encrypt Values for Team: turns a plain .env, JSON or YAML file into a value-encrypted one in place
// (docs/VALUES.md): keys, comments and layout stay, each value becomes a token, for the team of the
// file's folder, signed by my default key. When names say their values are public (`*_PUBLIC`, or a
// framework's browser prefix such as `NEXT_PUBLIC_`: core/public-names), it asks whether those stay readable. Then opens it decrypted in place of the plain editor.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { CustodianError } from '../../../core/errors';
import type { SelectionRule, ValuesFormatName } from '../../../core/values';
import { basename } from '../../fs/enc-uri';
import { writeFileAtomic } from '../../storage/workspace-files';
import { formatOf, readText } from '../../fs/values-file-system';
import { fromValuesUri, looksValueEncrypted, toValuesUri, VALUES_SCHEME } from '../../fs/values-uri';
import { headVersion, repositoryPath, runGit } from '../../../node/git';
import { addValueFileAttributes } from '../../../node/git-setup';
import { LocalHistory, warnHistoryUnreachable, type HistoryCleanup } from '../../storage/local-history';
import { lazyCore } from '../../lazy-core';
import { markEncrypted } from '../../views/context-keys';
import { policyForNewFile } from '../../../core/recipient-policy';
import { fromArgument, is, type Shape } from '../arguments';
import { valuesTarget, type ValuesDeps } from './deps';

export interface EncryptValuesArgs {
  uri?: vscode.Uri;
  /** Test harness: the answer to "leave the public values readable?" (asked only when there are some). */
  keepPublic?: boolean;
  /** Test harness: the names ticked in "which stay readable?" (Encrypt Values, Choosing Which Stay Readable). */
  readable?: string[];
}

const ENCRYPT_VALUES_ARGS: Shape<EncryptValuesArgs> = { uri: is.uri, keepPublic: is.boolean, readable: is.strings };

/** Names shown in the question; the rest are counted. */
const SHOWN_NAMES = 5;

/** "*_PUBLIC or NEXT_PUBLIC_*", in the UI's language. */
function conventionList(labels: readonly string[]): string {
  return new Intl.ListFormat(vscode.env.language, { type: 'disjunction' }).format(labels);
}

/** undefined: cancelled; else the rule to seal with, and the conventions (or names) it leaves readable. */
async function chooseRule(args: EncryptValuesArgs, what: string, text: string, format: ValuesFormatName, choose: boolean): Promise<{ rule: SelectionRule; readable: string[] } | undefined> {
  const { publicValues } = await lazyCore.values();
  const all = { rule: { kind: 'all' } as const, readable: [] };
  if (choose || args.readable !== undefined) return chooseReadable(args, what, text, format);
  const found = publicValues(text, format);
  if (!found) return all;
  const kept = { rule: found.rule, readable: found.conventions.map((c) => c.label) };
  if (args.keepPublic !== undefined) return args.keepPublic ? kept : all;
  const { names } = found;
  // The button agrees with the question in number ("¿Dejarlo legible?" was answered "Dejarlos legibles").
  const keep = names.length === 1 ? vscode.l10n.t('Keep It Readable') : vscode.l10n.t('Keep Them Readable');
  const encryptAll = vscode.l10n.t('Encrypt All');
  const shown = names.length > SHOWN_NAMES ? vscode.l10n.t('{0} and {1} more', names.slice(0, SHOWN_NAMES).join(', '), names.length - SHOWN_NAMES) : names.join(', ');
  const frameworks = found.conventions.flatMap((c) => c.frameworks ?? []);
  const answer = await vscode.window.showWarningMessage(
    names.length === 1
      ? vscode.l10n.t('{0} has 1 value named {1}: {2}. Leave it readable in the file?', what, conventionList(kept.readable), shown)
      : vscode.l10n.t('{0} has {1} values named {2}: {3}. Leave them readable in the file?', what, names.length, conventionList(kept.readable), shown),
    {
      modal: true,
      detail: [
        ...(frameworks.length > 0 ? [vscode.l10n.t('Values so named are built into the code sent to every browser ({0}): a secret there is public already.', new Intl.ListFormat(vscode.env.language, { type: 'conjunction' }).format(frameworks))] : []),
        vscode.l10n.t('Every other value is encrypted. Which values stay readable is recorded in the file and covered by its MAC and signature; a reviewer sees them as written.'),
      ].join(' '),
    },
    keep,
    encryptAll,
  );
  return answer === keep ? kept : answer === encryptAll ? all : undefined;
}

/**
 * Encrypt Values, Choosing Which Stay Readable: the file's keys in a picker, those named as public ticked,
 * and the ticked ones left in the clear by a rule naming exactly them (`unencrypted-regex:^(?:NODE_ENV|PORT)$`),
 * so a pull request shows their changes. A newcomer wanted NODE_ENV and PORT readable and found only the
 * CLI's --unencrypted-regex. In JSON and YAML a rule reaches a key wherever it stands, so only keys that
 * head no mapping or list are offered, each with the values it would leave readable (`tag`: image.tag,
 * sidecar.tag), and the message after sealing names those values.
 */
async function chooseReadable(args: EncryptValuesArgs, what: string, text: string, format: ValuesFormatName): Promise<{ rule: SelectionRule; readable: string[] } | undefined> {
  const { namesInTheClear, readableChoices, ruleNaming, ruleToString } = await lazyCore.values();
  const { offered: choices, notOffered } = readableChoices(text, format);
  let readable = args.readable;
  if (readable === undefined) {
    if (choices.length === 0) {
      // An empty picker said nothing, and OK then encrypted everything (a newcomer's file of lists).
      void vscode.window.showInformationMessage(
        vscode.l10n.t('No key of {0} can stay readable on its own: each holds other keys or a list, and a rule naming one would leave everything below it readable. Nothing was encrypted; "Encrypt Values for Team" encrypts every value.', what),
      );
      return undefined;
    }
    type Item = vscode.QuickPickItem & { key?: string };
    const items: Item[] = choices.map((c) => ({ label: c.key, key: c.key, description: choiceDescription(c, format), picked: c.public }));
    // Why image or db are not in the list, where a person looks for them.
    if (notOffered.length > 0) {
      const shown = notOffered.length > SHOWN_NAMES ? vscode.l10n.t('{0} and {1} more', notOffered.slice(0, SHOWN_NAMES).join(', '), notOffered.length - SHOWN_NAMES) : notOffered.join(', ');
      items.push({ label: vscode.l10n.t('Not listed, since they hold other keys or a list: {0}', shown), kind: vscode.QuickPickItemKind.Separator });
    }
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      matchOnDescription: true,
      title: format === 'dotenv' ? vscode.l10n.t('{0}: tick the values that stay readable', what) : vscode.l10n.t('{0}: tick the keys whose values stay readable, wherever they stand', what),
      placeHolder: vscode.l10n.t('Every value left unticked is encrypted; none ticked encrypts them all'),
      ignoreFocusOut: true,
    });
    if (picked === undefined) return undefined;
    readable = picked.flatMap((p) => (p.key === undefined ? [] : [p.key]));
  }
  const unknown = readable.filter((k) => !choices.some((c) => c.key === k));
  if (unknown.length > 0) {
    throw new CustodianError(vscode.l10n.t('{0} holds no value named {1}.', what, unknown.join(', ')), {
      hint: format === 'dotenv' ? undefined : vscode.l10n.t('A key that holds other keys or a list cannot be chosen: a rule naming it would leave everything below it readable.'),
    });
  }
  if (readable.length === 0) return { rule: { kind: 'all' }, readable: [] };
  const rule = ruleNaming(readable);
  // The rule must leave readable exactly the values the picker said, and no other.
  const expected = choices.filter((c) => readable.includes(c.key)).flatMap((c) => c.names);
  const clear = namesInTheClear(text, format, rule);
  if (clear.length !== expected.length || !clear.every((n) => expected.includes(n))) throw new Error(`the rule ${ruleToString(rule)} leaves ${clear.join(', ')} readable, not ${expected.join(', ')}`);
  // Said as one list ("NODE_ENV and PORT"), where conventions are alternatives ("*_PUBLIC or VITE_*").
  return { rule, readable: [new Intl.ListFormat(vscode.env.language, { type: 'conjunction' }).format(format === 'dotenv' ? readable : expected)] };
}

/** Why a key is ticked already (its name says public), and in JSON or YAML which values it reaches. */
function choiceDescription(choice: { key: string; names: readonly string[]; public: boolean }, format: ValuesFormatName): string | undefined {
  const parts: string[] = [];
  if (choice.public) parts.push(vscode.l10n.t('named as public'));
  // "replicaCount replicaCount" said nothing: the path is shown when it says more than the key.
  if (format !== 'dotenv' && (choice.names.length > 1 || choice.names[0] !== choice.key)) parts.push(valuesReached(choice.names));
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** "image.tag", or "3 values: image.tag, sidecar.tag, …" (the first few). */
function valuesReached(names: readonly string[]): string {
  if (names.length === 1) return names[0];
  const shown = names.length > SHOWN_NAMES ? vscode.l10n.t('{0} and {1} more', names.slice(0, SHOWN_NAMES).join(', '), names.length - SHOWN_NAMES) : names.join(', ');
  return vscode.l10n.t('{0} values: {1}', names.length, shown);
}

/**
 * A value cut at "#" (`PASSWORD=abc#def`): the rest of the line would stay in the clear as a comment. Most
 * likely the "#" is part of the value, so the first button (Enter) quotes such values whole before they are
 * encrypted (a newcomer pressed Enter on "Encrypt Anyway" and left half a password readable). Resolves to
 * the text to encrypt, or undefined when cancelled.
 */
async function acceptCutValues(what: string, text: string): Promise<string | undefined> {
  const { quoteValuesCutAtHash, valuesCutAtHash } = await lazyCore.values();
  const names = valuesCutAtHash(text);
  if (names.length === 0) return text;
  const quoted = quoteValuesCutAtHash(text);
  const quote = vscode.l10n.t('Quote and Encrypt');
  const anyway = vscode.l10n.t('Encrypt Anyway');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('In {0}, the value of {1} stops at "#": what follows is read as a comment and stays readable.', what, names.join(', ')),
    {
      modal: true,
      detail: quoted
        ? vscode.l10n.t('dotenv and Node read NAME=abc#def as abc and a comment. "Quote and Encrypt" quotes each such value whole first (NAME=\'abc#def\'), so programs read all of it and all of it is encrypted; "Encrypt Anyway" leaves what follows "#" readable.')
        : vscode.l10n.t('dotenv and Node read NAME=abc#def as abc and a comment. If "#" is part of the value, quote it (NAME="abc#def") first, then encrypt.'),
    },
    ...(quoted ? [quote, anyway] : [anyway]),
  );
  if (choice === quote) return quoted;
  return choice === anyway ? text : undefined;
}

/**
 * A YAML key with an anchor or a tag where its value is (`password: &Sup3r!`, an unquoted secret that
 * starts with & or !): YAML reads an empty value, or a value after the anchor, and the rest would stay
 * readable. The first button (Enter) opens the file to quote the value; resolves whether to seal anyway.
 */
async function acceptPropertiesAsValues(file: vscode.Uri, what: string, text: string, rule: SelectionRule): Promise<boolean> {
  const { valuesReadableSlips } = await lazyCore.values();
  const slips = valuesReadableSlips(text, 'yaml', rule);
  if (slips.length === 0) return true;
  const edit = vscode.l10n.t('Edit First');
  const anyway = vscode.l10n.t('Encrypt Anyway');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('In {0}, an anchor (&…) or a tag (!…) stands where a value is, and would stay readable: {1}.', what, slips.map((s) => s.name).join(', ')),
    {
      modal: true,
      detail: vscode.l10n.t('YAML reads password: &abc as an empty value with the anchor "abc" (!abc as a tag), and password: &abc def as the value "def". If the text is part of the value, put the whole value in quotes (password: "&abc") first, then encrypt. "Encrypt Anyway" leaves that text readable in the file.'),
    },
    edit,
    anyway,
  );
  if (choice === edit) {
    // At the first of them: the file may be long (a Helm values file runs to a thousand lines).
    const at = new vscode.Position(slips[0].line - 1, 0);
    await vscode.window.showTextDocument(file, { preview: false, selection: new vscode.Range(at, at) });
  }
  return choice === anyway;
}

/** Encrypt Values for Team, Choosing Which Stay Readable (a .env file). */
export function encryptValuesChoosing(deps: ValuesDeps, first: unknown): Promise<vscode.Uri | undefined> {
  return sealFileValues(deps, first, true);
}

export function encryptValues(deps: ValuesDeps, first: unknown): Promise<vscode.Uri | undefined> {
  return sealFileValues(deps, first, false);
}

async function sealFileValues(deps: ValuesDeps, first: unknown, choose: boolean): Promise<vscode.Uri | undefined> {
  const args = fromArgument(first, ENCRYPT_VALUES_ARGS);
  const file = valuesTarget(first) ?? vscode.window.activeTextEditor?.document.uri;
  // Run from the palette over a decrypted view: that file is value-encrypted already, and says so.
  if (file?.scheme === VALUES_SCHEME) throw new CustodianError(vscode.l10n.t('The values of {0} are already encrypted.', basename(fromValuesUri(file).path)));
  if (!file || file.scheme !== 'file') throw new CustodianError(vscode.l10n.t('Choose a .env, JSON or YAML file in the workspace.'));
  const what = basename(file.path);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
  if (open?.isDirty) throw new CustodianError(vscode.l10n.t('{0} has unsaved changes.', what), { hint: vscode.l10n.t('Save or revert it first.') });
  const format = await formatOf(file);
  const read = await readText(file, what);
  if (looksValueEncrypted(read)) throw new CustodianError(vscode.l10n.t('The values of {0} are already encrypted.', what));
  const { session, services } = deps;
  const team = await session.teamRecipients(file);
  if (team.length === 0) throw new CustodianError(vscode.l10n.t('The team roster is empty.'), { hint: vscode.l10n.t('Add yourself to the team first.') });
  const fingerprints = team.map((k) => k.fingerprint);
  const recipientPolicy = policyForNewFile(file.path, fingerprints, await session.teamFingerprints(file));
  const text = format === 'dotenv' ? await acceptCutValues(what, read) : read;
  if (text === undefined) return undefined;
  const chosen = await chooseRule(args, what, text, format, choose);
  if (!chosen) return undefined;
  const { rule } = chosen;
  if (format === 'yaml' && !(await acceptPropertiesAsValues(file, what, text, rule))) return undefined;
  const [{ sealValues }, backend, signer] = await Promise.all([lazyCore.values(), services.backend(), session.signer()]);
  let sealed: string;
  try {
    sealed = await sealValues(text, { format, recipients: team.map((k) => k.key), signer, backend, recipientPolicy, rule });
  } finally {
    session.release(signer);
  }
  await writeFileAtomic(file, new TextEncoder().encode(sealed), { overwrite: true });
  markEncrypted();
  // Each save of the plain file left a copy in VS Code's Local History, the Timeline's "File Saved":
  // plaintext beside a file that now holds none. Later saves go through the decrypted view, which has none.
  const history = await new LocalHistory(services.globalStorageUri).remove(file).catch((): HistoryCleanup => ({ removed: 0, unreachable: true }));
  const uri = toValuesUri(file);
  // The plain editor now shows tokens: the decrypted view takes its place (it was saved, so nothing is lost).
  const plainTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString());
  const column = plainTabs[0]?.group.viewColumn;
  await vscode.window.tabGroups.close(plainTabs);
  await vscode.window.showTextDocument(uri, { preview: false, viewColumn: column });
  const done =
    rule.kind === 'all'
      ? format === 'json'
        ? vscode.l10n.t('Encrypted the values of {0} for the team, signed by you. Keys stay readable; saving here re-encrypts what you change.', what)
        : vscode.l10n.t('Encrypted the values of {0} for the team, signed by you. Keys and comments stay readable; saving here re-encrypts what you change.', what)
      : // What stays readable first: a long toast is cut to its first line (a newcomer saw only "Encrypted the values of…").
        vscode.l10n.t('In {0}, values named {1} stay readable; every other value is encrypted for the team, signed by you. Saving here re-encrypts what you change.', what, conventionList(chosen.readable));
  // Git runs only in a trusted workspace (a repository's config can make git run commands).
  const ignoredBy = services.trust.isTrusted ? await ignoringRule(file) : undefined;
  const copies = history.removed > 0 ? ` ${vscode.l10n.t('Removed its Local History copies.')}` : '';
  const merged = services.trust.isTrusted && (await mergeLineAdded(file)) ? ` ${vscode.l10n.t('Git merges it with Custodian\'s driver now: commit .gitattributes with it.')}` : '';
  // Committed in the clear before: encrypting now leaves those versions in every clone (a red team's Helm
  // values file, its passwords committed, got only "Encrypted the values").
  const inHistory = services.trust.isTrusted && (await committedInTheClear(file))
    ? ` ${vscode.l10n.t('Its committed versions hold the values in the clear, in every clone of the repository: rotate those secrets (encrypting now does not take them back).')}`
    : '';
  const restaged = services.trust.isTrusted && (await restageIfStagedInTheClear(file))
    ? ` ${vscode.l10n.t('It was staged in the clear: the encrypted file is staged in its place. The plaintext git stored stays in .git/objects on this machine (a push sends only committed objects) until "git gc --prune=now".')}`
    : '';
  if (ignoredBy) {
    // A warning, with the way to the line: a trial missed this as a passing notice and searched by hand.
    const open = vscode.l10n.t('Open {0}', ignoredBy.shown);
    void vscode.window
      .showWarningMessage(
        // The news first: a toast this long can be cut to its first line, or pushed into the notification centre.
        vscode.l10n.t('Git ignores {1} ({2}, line {3}: {4}), so it is not shared: to commit it, change that line (its secrets are encrypted now). {0}', done + copies + merged + restaged + inHistory, what, ignoredBy.shown, String(ignoredBy.line), ignoredBy.pattern),
        open,
      )
      .then(async (choice) => {
        if (choice !== open) return;
        const at = new vscode.Position(ignoredBy.line - 1, 0);
        await vscode.window.showTextDocument(ignoredBy.uri, { selection: new vscode.Range(at, at), preview: false });
      }, () => undefined);
  } else {
    const message = done + copies + merged + restaged + inHistory;
    void (restaged || inHistory ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  }
  if (history.unreachable) warnHistoryUnreachable([vscode.workspace.asRelativePath(file)]);
  return uri;
}

/**
 * In a clone where git is set up for Custodian, the `.gitattributes` line that has git merge this new
 * value-encrypted file with the driver (its name alone cannot say it is one); false when none was added.
 */
async function mergeLineAdded(file: vscode.Uri): Promise<boolean> {
  try {
    const { root, path: inRepository } = await repositoryPath(file.fsPath);
    return (await addValueFileAttributes(root, inRepository)).length > 0;
  } catch {
    return false; // not in a repository, or git failed: Set Up Git reports it when run
  }
}

/**
 * When git's index holds the file as a staged change in the clear (added before it was encrypted: the
 * Source Control view stages everything on commit when asked to), stages the encrypted file in its place,
 * so that a commit (a `--no-verify` one included) takes what the working tree now holds. True when it did.
 * A file whose index entry is the last commit's, or already value-encrypted, is left alone.
 */
async function restageIfStagedInTheClear(file: vscode.Uri): Promise<boolean> {
  if (file.scheme !== 'file') return false;
  const dir = path.dirname(file.fsPath);
  const name = `./${path.basename(file.fsPath)}`;
  try {
    const staged = (await runGit(dir, ['rev-parse', '--verify', '--quiet', `:${name}`])).stdout.toString('utf8').trim();
    if (!/^[0-9a-f]{40,64}$/.test(staged)) return false;
    const head = await runGit(dir, ['rev-parse', '--verify', '--quiet', `HEAD:${name}`]);
    if (head.status === 0 && head.stdout.toString('utf8').trim() === staged) return false;
    const blob = await runGit(dir, ['cat-file', 'blob', staged]);
    if (blob.status !== 0 || looksValueEncrypted(blob.stdout.toString('utf8'))) return false;
    return (await runGit(dir, ['add', '--', name])).status === 0;
  } catch {
    return false;
  }
}

/** Whether the last commit holds the file with its values in the clear (not value-encrypted); false outside a repository. */
async function committedInTheClear(file: vscode.Uri): Promise<boolean> {
  if (file.scheme !== 'file') return false;
  const committed = await headVersion(file.fsPath);
  return committed !== undefined && committed.length > 0 && !looksValueEncrypted(committed.toString('utf8'));
}

/**
 * The rule by which git ignores the file (a `.env` often is; a value-encrypted one is meant to be
 * committed): the ignore file, as a person finds it, and the line. Undefined when git does not ignore it,
 * or outside a repository.
 */
async function ignoringRule(file: vscode.Uri): Promise<{ uri: vscode.Uri; shown: string; line: number; pattern: string } | undefined> {
  if (file.scheme !== 'file') return undefined;
  const dir = path.dirname(file.fsPath);
  const r = await runGit(dir, ['check-ignore', '-v', '-z', '--stdin'], new TextEncoder().encode(`${path.basename(file.fsPath)}\0`)).catch(() => undefined);
  if (r?.status !== 0) return undefined;
  const [source, line, pattern] = r.stdout.toString('utf8').split('\0');
  if (!source || !/^\d+$/.test(line ?? '') || pattern === undefined || pattern.startsWith('!')) return undefined;
  // git names an ignore file of the repository from its top folder, a global one by its absolute path.
  const root = path.isAbsolute(source) ? '' : await repositoryPath(file.fsPath).then((p) => p.root, () => undefined);
  if (root === undefined) return undefined;
  const uri = vscode.Uri.file(path.isAbsolute(source) ? source : path.join(root, source));
  return { uri, shown: path.isAbsolute(source) ? source : source.split(path.sep).join('/'), line: Number(line), pattern };
}
