// `custodian git setup` for the CLI and the extension: the `.gitattributes` line, the diff and merge
// drivers in the repository's git config, and the pre-commit guard. What it adds is recorded in the
// repository's own git config (`custodian.setup.*`), so `--undo` removes exactly that: lines a
// teammate committed, or a hook that was there before, stay.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CustodianError } from '../core/errors';
import { writeFileAtomic } from './atomic-file';
import { valueEncryptedFiles } from './encrypted-files';
import { getConfig, git, runGit } from './git';

// `-text`: a binary .enc must reach git byte for byte; a `*.enc text eol=crlf` line above (or `* text`)
// would otherwise turn its LF bytes into CRLF and back, and the file would no longer decrypt.
export const ATTRIBUTES_LINE = '*.enc diff=custodian merge=custodian -text';
/** The line setup wrote before `-text`: `--undo` still removes it. */
const LEGACY_ATTRIBUTES_LINE = '*.enc diff=custodian merge=custodian';
const ATTRIBUTES_COMMENT = '# Custodian: decrypted diffs and encrypted three-way merges of .enc files (docs/GIT.md)';
const HOOK_BEGIN = '# >>> custodian guard (added by "custodian git setup"; "custodian git setup --undo" removes it)';
const HOOK_END = '# <<< custodian guard';
const STATE = 'custodian.setup';
/**
 * The hooks that run the guard, and the key under `custodian.setup` recording how each was added.
 * pre-merge-commit: git runs no pre-commit hook for the commit a `git merge` makes by itself, which
 * took in a branch's plaintext `.env` or a `merge=union` splice of two encrypted files unchecked.
 */
const HOOKS = [
  { name: 'pre-commit', state: 'hook' },
  { name: 'pre-merge-commit', state: 'mergehook' },
] as const;
const VALUES_COMMENT = '# Custodian: three-way merges of value-encrypted files, one line each (docs/VALUES.md §12)';
/** What setup could not do without risking someone else's work. */
export class GitSetupError extends CustodianError {}

export interface DriverCommands {
  readonly textconv: string;
  readonly merge: string;
  readonly guard: string;
}

/**
 * The command lines git runs, from the shell words that start this CLI (`custodian`, or node + script).
 * `--` ends the options before the paths git appends: a file named `-prod.enc` is not a flag.
 */
export function driverCommands(cli: string): DriverCommands {
  return { textconv: `${cli} git textconv --`, merge: `${cli} git merge -- %O %A %B %L %P`, guard: `${cli} guard` };
}

export interface SetupItem {
  readonly name: string;
  /** present: in place; missing: not there; differs: there, but not what setup would write. */
  readonly status: 'present' | 'missing' | 'differs';
  readonly detail: string;
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Where git looks for hooks (core.hooksPath respected), as an absolute path. */
async function hooksDir(root: string): Promise<string> {
  const dir = (await git(root, ['rev-parse', '--git-path', 'hooks'])).toString('utf8').trim();
  return path.resolve(root, dir);
}

/**
 * True when the top `.gitattributes` is tracked but missing from the working tree (an `--undo` deletes
 * the one setup created, committed or not). `git check-attr` then still reads the index's copy, but
 * git's diffs do not: the attributes are not in place, whatever `attributesInPlace` says.
 */
async function attributesDeleted(root: string): Promise<boolean> {
  return (await git(root, ['ls-files', '--deleted', '--', '.gitattributes'])).length > 0;
}

/**
 * True when the top `.gitattributes` is not as HEAD has it (new, modified, deleted or only staged), per
 * `git status`: only then is there something to commit for teammates to get the attributes.
 */
export async function attributesToCommit(root: string): Promise<boolean> {
  return (await git(root, ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.gitattributes'])).length > 0;
}

/** Whether git gives `*.enc` files our drivers, whichever attributes file says so. */
async function attributesInPlace(root: string): Promise<boolean> {
  const out = (await git(root, ['check-attr', 'diff', 'merge', '--', 'custodian-probe.enc'])).toString('utf8');
  return /: diff: custodian$/m.test(out) && /: merge: custodian$/m.test(out);
}

function blockFor(commands: DriverCommands): string {
  return `${HOOK_BEGIN}\n${commands.guard} || exit $?\n${HOOK_END}\n`;
}

/** A hook git runs through sh: a shell shebang, or none (git falls back to sh). */
function isShellScript(text: string): boolean {
  if (!text.startsWith('#!')) return true;
  return /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\S*\/)?(?:sh|bash|dash|zsh|ksh)\b/.test(text);
}

/** The block setup wrote into a hook (markers included), as it is now; undefined when there is none. */
function ourHookBlock(text: string): string | undefined {
  const begin = text.indexOf(HOOK_BEGIN);
  const end = begin < 0 ? -1 : text.indexOf(`${HOOK_END}\n`, begin);
  return end < 0 ? undefined : text.slice(begin, end + HOOK_END.length + 1);
}

function hookRunsGuard(text: string): boolean {
  return text.includes(HOOK_BEGIN) || /\bcustodian\b.*\bguard\b/.test(text);
}

/**
 * The `.gitattributes` line giving one tracked file the merge driver: anchored at the top (`/`), glob
 * characters escaped, C-quoted when the path has a space or a quote (git reads quoted patterns).
 */
export function valuesAttributeLine(repoPath: string): string {
  const escaped = `/${repoPath.replace(/[\\*?[]/g, (c) => `\\${c}`)}`;
  if (!/[\s"]/.test(escaped)) return `${escaped} merge=custodian`;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\n/g, '\\n')}" merge=custodian`;
}

/**
 * Tracked files that are value-encrypted, and which of them git does not yet merge with our driver.
 * Their names are ordinary, so a pattern cannot tell them from plain files: one line per file.
 */
async function valueFiles(root: string, also: readonly string[] = []): Promise<{ all: string[]; missing: string[]; drivers: Map<string, Map<string, string>> }> {
  const all = [...new Set([...(await valueEncryptedFiles(root)), ...also])];
  const drivers = await driverAttributes(root, all);
  return { all, missing: all.filter((p) => drivers.get(p)?.get('merge') !== 'custodian'), drivers };
}

/** The attributes `names` git gives each of `paths`: path → attribute → value (`custodian`, `set`, `unset`, `unspecified`…). */
async function checkAttributes(root: string, paths: readonly string[], names: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const found = new Map<string, Map<string, string>>();
  if (paths.length === 0) return found;
  const out = (await git(root, ['check-attr', '-z', '--stdin', ...names], Buffer.from(paths.join('\0') + '\0'))).toString('utf8').split('\0');
  for (let k = 0; k + 2 < out.length; k += 3) {
    if (!found.has(out[k])) found.set(out[k], new Map());
    found.get(out[k])!.set(out[k + 1], out[k + 2]);
  }
  return found;
}

/** The diff and merge attributes git gives each of `paths`. */
function driverAttributes(root: string, paths: readonly string[]): Promise<Map<string, Map<string, string>>> {
  return checkAttributes(root, paths, ['diff', 'merge']);
}

/**
 * Encrypted files to which a `.gitattributes` line gives another driver than ours (`*.env merge=union`,
 * `*.enc binary`): git would merge them as text, splicing two versions (two `mac=` lines, broken armor).
 * Each as `PATH merge=union`.
 */
function overriddenDrivers(drivers: ReadonlyMap<string, ReadonlyMap<string, string>>, attributes: readonly string[]): string[] {
  const spell = (name: string, v: string): string => (v === 'unset' ? `-${name}` : v === 'set' ? name : `${name}=${v}`);
  return [...drivers].flatMap(([p, a]) => {
    const other = attributes.filter((name) => !['custodian', 'unspecified', undefined].includes(a.get(name)));
    return other.length > 0 ? [`${p} ${other.map((name) => spell(name, a.get(name)!)).join(' ')}`] : [];
  });
}

async function configValues(root: string, key: string): Promise<string[]> {
  const r = await runGit(root, ['config', '--local', '--get-all', key]);
  return r.status === 0 ? r.stdout.toString('utf8').split('\n').filter((l) => l !== '') : [];
}

/** Appends a line per value-encrypted file git does not merge with the driver yet; records each line. */
async function addValueFiles(root: string, done: string[], also: readonly string[] = []): Promise<void> {
  const { missing } = await valueFiles(root, also);
  if (missing.length === 0) return;
  const file = path.join(root, '.gitattributes');
  const old = (await readIfExists(file))?.toString('utf8') ?? '';
  const lines = missing.map(valuesAttributeLine);
  const addComment = !old.split('\n').includes(VALUES_COMMENT);
  const block = [...(addComment ? [VALUES_COMMENT] : []), ...lines].join('\n') + '\n';
  await writeFileAtomic(file, Buffer.from(old === '' || old.endsWith('\n') ? old + block : `${old}\n${block}`), { force: true });
  if (addComment) await git(root, ['config', '--local', `${STATE}.valuescomment`, 'added']);
  for (const line of lines) await git(root, ['config', '--local', '--add', `${STATE}.valuesline`, line]);
  for (const p of missing) done.push(`.gitattributes: merge=custodian for the value-encrypted file ${p}`);
  const still = (await valueFiles(root, also)).missing;
  for (const p of still) done.push(`.gitattributes: git does not apply the line added for ${p}; add a pattern for it by hand`);
}

/** Removes the value-file lines (and comment) setup recorded, one occurrence each. */
async function removeValueFiles(root: string, done: string[]): Promise<void> {
  const recorded = await configValues(root, `${STATE}.valuesline`);
  if ((await getConfig(root, `${STATE}.valuescomment`)) !== undefined) recorded.push(VALUES_COMMENT);
  if (recorded.length === 0) return;
  const file = path.join(root, '.gitattributes');
  const text = (await readIfExists(file))?.toString('utf8');
  if (text === undefined) return;
  const lines = text.split('\n');
  let removed = 0;
  for (const line of recorded) {
    const at = lines.lastIndexOf(line);
    if (at >= 0) {
      lines.splice(at, 1);
      removed++;
    }
  }
  await writeFileAtomic(file, Buffer.from(lines.join('\n')), { force: true });
  done.push(`.gitattributes: removed ${removed} line(s) for value-encrypted files`);
}

/**
 * In a clone already set up (its merge driver configured), gives each value-encrypted file that lacks
 * one its `.gitattributes` line, as `setUp` would: for a file value-encrypted after the set-up. `file`,
 * the one just written (repository-relative), gets its line even while git ignores it: a `.env` often
 * is, and is committed once un-ignored. A clone not set up is left alone (the set-up is the user's
 * choice). Returns what it did, one line each.
 */
export async function addValueFileAttributes(root: string, file: string): Promise<string[]> {
  const done: string[] = [];
  if ((await getConfig(root, 'merge.custodian.driver')) === undefined) return done;
  await addValueFiles(root, done, [file]);
  return done;
}

/** The attributes by which git may change a file's bytes between the working tree and the index. */
const CONVERTING_ATTRIBUTES = ['text', 'eol', 'crlf', 'working-tree-encoding', 'ident', 'filter'] as const;

export interface Conversion {
  /** The converting attributes git gives the file, as .gitattributes spells them (`text eol=crlf`). */
  readonly attributes: string;
  /** True when they convert whatever the bytes; false when git decides by content (text=auto, core.autocrlf). */
  readonly always: boolean;
}

/**
 * For each of `paths` (repository-relative) that git may store with other bytes than the working file's,
 * the attributes that do it. Line endings follow git's convert.c: `-text` (or `-crlf`) turns them off,
 * `text`, or `eol` where text is unspecified, converts any file; `text=auto` and `core.autocrlf` only a
 * file git takes for text, which a binary .enc is not.
 */
export async function convertingAttributes(root: string, paths: readonly string[]): Promise<Map<string, Conversion>> {
  const found = new Map<string, Conversion>();
  if (paths.length === 0) return found;
  const attrs = await checkAttributes(root, paths, CONVERTING_ATTRIBUTES);
  const autocrlf = (await getConfig(root, 'core.autocrlf'))?.toLowerCase();
  for (const p of paths) {
    const a = attrs.get(p) ?? new Map<string, string>();
    const spelled = CONVERTING_ATTRIBUTES.flatMap((name) => {
      const v = a.get(name) ?? 'unspecified';
      return v === 'unspecified' || v === 'unset' ? [] : [v === 'set' ? name : `${name}=${v}`];
    });
    const text = a.get('text') !== 'unspecified' ? a.get('text') : a.get('crlf');
    const binary = text === 'unset';
    const eol = !binary && a.get('eol') !== undefined && a.get('eol') !== 'unspecified' && text !== 'auto';
    const always = text === 'set' || text === 'input' || eol || ['working-tree-encoding', 'ident', 'filter'].some((n) => !['unspecified', 'unset', undefined].includes(a.get(n)));
    if (!binary && (text === undefined || text === 'unspecified') && autocrlf !== undefined && autocrlf !== 'false') spelled.push(`core.autocrlf=${autocrlf}`);
    if (spelled.length > 0 && (always || !binary)) found.set(p, { attributes: spelled.join(' '), always });
  }
  return found;
}

/** What is in place and what is not. */
export async function checkSetup(root: string, commands: DriverCommands): Promise<SetupItem[]> {
  const items: SetupItem[] = [];
  const attributesGone = await attributesDeleted(root);
  items.push(
    attributesGone
      ? { name: '.gitattributes', status: 'missing', detail: 'deleted from the working tree (git diff reads it there)' }
      : (await attributesInPlace(root))
        ? { name: '.gitattributes', status: 'present', detail: `*.enc files use diff=custodian merge=custodian` }
        : { name: '.gitattributes', status: 'missing', detail: `no "${ATTRIBUTES_LINE}" line` },
  );
  const values = await valueFiles(root);
  const overridden = overriddenDrivers(values.drivers, ['merge']);
  const noLine = values.missing.filter((p) => values.drivers.get(p)?.get('merge') === 'unspecified');
  if (values.all.length > 0) {
    items.push(
      values.missing.length === 0
        ? { name: 'value-encrypted files', status: 'present', detail: `${values.all.length} file(s) use merge=custodian` }
        : noLine.length === 0
          ? { name: 'value-encrypted files', status: 'present', detail: `${values.all.length - values.missing.length} file(s) use merge=custodian, ${values.missing.length} another driver (below)` }
          : { name: 'value-encrypted files', status: 'missing', detail: `no merge=custodian line for ${noLine.slice(0, 5).join(', ')}${noLine.length > 5 ? ', …' : ''}` },
    );
  }
  const encFiles = (await git(root, ['ls-files', '-z', '--', '*.enc'])).toString('utf8').split('\0').filter((p) => p !== '');
  overridden.push(...overriddenDrivers(await driverAttributes(root, encFiles), ['diff', 'merge']));
  if (overridden.length > 0) {
    items.push({
      name: 'drivers of encrypted files',
      status: 'missing',
      detail: `a .gitattributes line gives ${overridden.length} encrypted file(s) another driver than custodian: ${overridden.slice(0, 5).join(', ')}${overridden.length > 5 ? ', …' : ''}; git would merge them as text, two versions spliced into a file that opens for no one. Remove that line for them ("custodian git setup" adds lines after it that give the driver back)`,
    });
  }
  const driver = async (name: string, key: string, expected: string): Promise<void> => {
    const value = await getConfig(root, key);
    if (value === undefined) items.push({ name, status: 'missing', detail: `git config ${key} is not set` });
    else if (value !== expected) items.push({ name, status: 'differs', detail: `git config ${key} is "${value}", setup would write "${expected}"` });
    else items.push({ name, status: 'present', detail: `git config ${key}` });
  };
  await driver('diff driver', 'diff.custodian.textconv', commands.textconv);
  await driver('merge driver', 'merge.custodian.driver', commands.merge);
  const cache = await getConfig(root, 'diff.custodian.cachetextconv');
  if (cache !== undefined && cache !== 'false') {
    items.push({ name: 'textconv cache', status: 'differs', detail: 'diff.custodian.cachetextconv is on: git would store decrypted text in .git (refs/notes/textconv); run "git config --unset diff.custodian.cachetextconv"' });
  }
  const converted = [...(await convertingAttributes(root, encFiles))].filter(([, c]) => c.always);
  if (converted.length > 0) {
    const byAttributes = new Map<string, string[]>();
    for (const [p, c] of converted) byAttributes.set(c.attributes, [...(byAttributes.get(c.attributes) ?? []), p]);
    const which = [...byAttributes].map(([a, ps]) => `${ps.length} with "${a}" (${ps[0]}${ps.length > 1 ? ', …' : ''})`).join('; ');
    items.push({
      name: 'line endings of .enc files',
      status: 'differs',
      detail: `git converts the bytes of ${converted.length} tracked .enc file(s): ${which}; a binary .enc converted no longer decrypts. Add "*.enc -text" to .gitattributes after the line that sets it, or remove that line`,
    });
  }
  const hooks = await hooksDir(root);
  for (const { name } of HOOKS) {
    const hook = path.join(hooks, name);
    const text = (await readIfExists(hook))?.toString('utf8');
    const ours = text === undefined ? undefined : ourHookBlock(text);
    items.push(
      ours !== undefined && ours !== blockFor(commands)
        ? { name: `${name} guard`, status: 'differs', detail: `${hook} runs another command than "${commands.guard}"` }
        : text !== undefined && hookRunsGuard(text)
          ? { name: `${name} guard`, status: 'present', detail: hook }
          : { name: `${name} guard`, status: 'missing', detail: text === undefined ? `no ${hook}` : `${hook} does not run "custodian guard"` },
    );
  }
  return items;
}

/**
 * Sets up what is missing; returns what it did, one line each. Running it again changes nothing.
 * `alsoValueFiles` (repository-relative): value-encrypted files git does not list because it ignores
 * them (a `.env` often is, until it is committed), which get their merge line too.
 */
export async function setUp(root: string, commands: DriverCommands, alsoValueFiles: readonly string[] = []): Promise<string[]> {
  const done: string[] = [];
  if (await attributesDeleted(root)) {
    // The committed file, teammates' lines included, rather than a new one holding only ours.
    await writeFileAtomic(path.join(root, '.gitattributes'), await git(root, ['cat-file', 'blob', ':.gitattributes']), { force: true });
    done.push('.gitattributes: restored from the index (it was deleted from the working tree)');
  }
  if (!(await attributesInPlace(root))) {
    const file = path.join(root, '.gitattributes');
    const old = await readIfExists(file);
    const block = `${ATTRIBUTES_COMMENT}\n${ATTRIBUTES_LINE}\n`;
    const how = old === undefined ? 'created' : old.length === 0 || old[old.length - 1] === 0x0a ? 'appended' : 'appended-after-newline';
    const next = old === undefined ? Buffer.from(block) : Buffer.concat([old, Buffer.from(how === 'appended' ? block : `\n${block}`)]);
    await writeFileAtomic(file, next, { force: true });
    await git(root, ['config', '--local', `${STATE}.gitattributes`, how]);
    done.push(`.gitattributes: added "${ATTRIBUTES_LINE}"`);
  }
  await addValueFiles(root, done, alsoValueFiles);
  const setDriver = async (key: string, value: string, what: string): Promise<void> => {
    const current = await getConfig(root, key);
    if (current === value) return;
    await git(root, ['config', '--local', key, value]);
    if (current === undefined && (await getConfig(root, `${STATE}.drivers`)) === undefined) await git(root, ['config', '--local', `${STATE}.drivers`, 'added']);
    done.push(`${what}: git config ${key} "${value}"`);
  };
  await setDriver('diff.custodian.textconv', commands.textconv, 'diff driver');
  await setDriver('merge.custodian.name', 'Custodian: three-way merge of the decrypted contents, written back encrypted', 'merge driver name');
  await setDriver('merge.custodian.driver', commands.merge, 'merge driver');

  const dir = await hooksDir(root);
  for (const { name, state } of HOOKS) await installHook(root, dir, name, state, commands, done);
  return done;
}

/** Installs the guard in one hook as setup does for each (created, or a block at the start of a shell hook). */
async function installHook(root: string, dir: string, name: string, state: string, commands: DriverCommands, done: string[]): Promise<void> {
  const hook = path.join(dir, name);
  const old = await readIfExists(hook);
  const text = old?.toString('utf8');
  const ours = text === undefined ? undefined : ourHookBlock(text);
  if (text === undefined) {
    await fs.mkdir(dir, { recursive: true });
    await writeFileAtomic(hook, Buffer.from(`#!/bin/sh\n${blockFor(commands)}`), { mode: 0o755 });
    await fs.chmod(hook, 0o755); // the umask may have taken the execute bits
    await git(root, ['config', '--local', `${STATE}.${state}`, 'created']);
    done.push(`${name} guard: created ${hook}`);
  } else if (ours !== undefined && ours !== blockFor(commands)) {
    // Our block from an earlier setup runs another command (a build that moved, an extension folder an
    // update removed): a guard that cannot start would stop every commit. Only the block changes.
    const stat = await fs.stat(hook);
    await writeFileAtomic(hook, Buffer.from(text.replace(ours, () => blockFor(commands))), { force: true, mode: stat.mode & 0o7777 });
    await fs.chmod(hook, stat.mode & 0o7777);
    done.push(`${name} guard: now runs "${commands.guard}" in ${hook}`);
  } else if (!hookRunsGuard(text)) {
    if (!isShellScript(text)) {
      throw new GitSetupError(`${hook} exists and is not a shell script: setup does not change it`, { hint: `add "${commands.guard}" to it yourself, so the guard runs before each commit (a merge's too)` });
    }
    if (text.startsWith('#!') && !text.includes('\n')) throw new GitSetupError(`${hook} has only a #! line: setup does not change it`, { hint: `add "${commands.guard}" to it yourself` });
    const nl = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
    const stat = await fs.stat(hook);
    // The guard runs first: a hook that ends in `exit 0` would never reach lines appended after it.
    await writeFileAtomic(hook, Buffer.from(text.slice(0, nl) + blockFor(commands) + text.slice(nl)), { force: true, mode: stat.mode & 0o7777 });
    await fs.chmod(hook, stat.mode & 0o7777);
    await git(root, ['config', '--local', `${STATE}.${state}`, 'inserted']);
    done.push(`${name} guard: added to the start of the existing ${hook}`);
  }
}

/** Removes what setup added (as recorded); returns what it did. */
export async function undoSetup(root: string): Promise<string[]> {
  const done: string[] = [];
  // Before the *.enc block: a .gitattributes setup created is deleted once both are gone.
  await removeValueFiles(root, done);
  const how = await getConfig(root, `${STATE}.gitattributes`);
  if (how !== undefined) {
    const file = path.join(root, '.gitattributes');
    const text = (await readIfExists(file))?.toString('utf8');
    const line = [ATTRIBUTES_LINE, LEGACY_ATTRIBUTES_LINE].find((l) => text?.includes(`${ATTRIBUTES_COMMENT}\n${l}\n`));
    const block = `${ATTRIBUTES_COMMENT}\n${line}\n`;
    const full = how === 'appended-after-newline' ? `\n${block}` : block;
    if (text !== undefined && line !== undefined && text.includes(full)) {
      const at = text.lastIndexOf(full);
      const rest = text.slice(0, at) + text.slice(at + full.length);
      if (how === 'created' && rest === '') await fs.unlink(file);
      else await writeFileAtomic(file, Buffer.from(rest), { force: true });
      done.push(`.gitattributes: removed "${line}"`);
    } else {
      done.push(`.gitattributes: the lines setup added were changed; left as they are`);
    }
  }
  if ((await getConfig(root, `${STATE}.drivers`)) !== undefined) {
    for (const section of ['diff.custodian', 'merge.custodian']) await runGit(root, ['config', '--local', '--remove-section', section]);
    done.push('diff and merge drivers: removed from git config');
  }
  const hooks = await hooksDir(root);
  for (const { name, state } of HOOKS) {
    const hookHow = await getConfig(root, `${STATE}.${state}`);
    if (hookHow === undefined) continue;
    const hook = path.join(hooks, name);
    const text = (await readIfExists(hook))?.toString('utf8');
    const ours = text === undefined ? undefined : ourHookBlock(text);
    if (text === undefined || ours === undefined) {
      done.push(`${name} guard: not found in ${hook}; left as it is`);
    } else {
      const rest = text.replace(ours, () => '');
      if (hookHow === 'created' && rest === '#!/bin/sh\n') await fs.unlink(hook);
      else {
        const stat = await fs.stat(hook);
        await writeFileAtomic(hook, Buffer.from(rest), { force: true, mode: stat.mode & 0o7777 });
        await fs.chmod(hook, stat.mode & 0o7777);
      }
      done.push(`${name} guard: removed from ${hook}`);
    }
  }
  await runGit(root, ['config', '--local', '--remove-section', STATE]);
  return done;
}
