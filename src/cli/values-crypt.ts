// `custodian encrypt --values` and `custodian decrypt --values`: a .env, JSON or YAML file whose values
// are encrypted one by one and whose keys stay readable (docs/VALUES.md). The files are small and read
// whole; output is written atomically, as by the other commands.
import * as path from 'node:path';
import { isValueEncrypted, openValues, sealValues, valuesCutAtHash, valuesReadableSlips, valuesRecipients, type ValuesFormatName, type ValuesIdentity } from '../core/values';
import { isConflictedValues, openConflictedValues } from '../core/values-conflict';
import type { Args } from './args';
import type { CommandContext } from './command';
import { checkInput, checkOutput, isStdio } from './io';
import { reportSigner } from './team-signers';
import { headVersion, repositoryPath } from '../node/git';
import { addValueFileAttributes } from '../node/git-setup';
import { loadRequiredSigners, requireSigner } from './required-signer';
import { encryptRecipients, recipientPolicyOf } from './recipients';
import { namingFile, readValuesText, selectionRuleOf, valuesFormatOf, valuesIdentities, valuesSigner, writeValuesText } from './values-files';

export async function encryptValuesFile(args: Args, ctx: CommandContext): Promise<void> {
  if (args.flag('armor')) throw args.usageError('--values writes the file in its own format: -a does not apply');
  const input = args.positionals[0];
  const out = args.string('out');
  const force = args.flag('force');
  await checkOutput(out, { force });
  // Read first: a .enc given by mistake is named as one, not as a file of unknown format.
  const document = await readValuesText(input, ctx);
  const format = valuesFormatOf(args, input, out);
  const rule = await namingFile(input, async () => selectionRuleOf(args, document, format, input));
  const passphrases = ctx.passphrases(args);
  const recipients = await encryptRecipients(args, ctx, passphrases);
  const signer = await valuesSigner(args, ctx, out ?? input);
  const text = await namingFile(input, () => sealValues(document, { format, recipients, signer, rule, backend: ctx.backend(), recipientPolicy: recipientPolicyOf(args) }));
  await writeValuesText(out, text, ctx, { force });
  if (format === 'dotenv') {
    const cut = valuesCutAtHash(document);
    if (cut.length > 0) {
      ctx.warn(
        `${cut.join(', ')}: the value stops at "#" (NAME=abc#def is read as abc and a comment), and the comment stays readable in the file; if "#" is part of the value, quote it (NAME="abc#def") and encrypt again`,
      );
    }
  }
  if (format === 'yaml') {
    const readable = valuesReadableSlips(document, format, rule).map((s) => s.name);
    if (readable.length > 0) {
      ctx.warn(
        `${readable.join(', ')}: an anchor (&…) or a tag (!…) stands where the value is, and stays readable in the file (YAML reads "password: &abc" as an empty value with the anchor "abc"); if it is part of the value, quote the value (password: "&abc") and encrypt again`,
      );
    }
  }
  // Committed in the clear before: encrypting now leaves those versions in every clone.
  const committed = isStdio(input) ? undefined : await headVersion(path.resolve(input));
  if (committed !== undefined && committed.length > 0 && !isValueEncrypted(committed.toString('utf8'), format)) {
    ctx.warn(`${input}: its committed versions hold the values in the clear, in every clone of the repository: rotate those secrets (encrypting now does not take them back)`);
  }
  if (out !== undefined && !isStdio(out)) await giveMergeLine(out, ctx);
}

/**
 * In a clone set up with `custodian git setup`, the new file's `.gitattributes` line, so git merges it
 * with the driver (its name alone cannot say it is value-encrypted). A clone not set up is left alone.
 */
async function giveMergeLine(file: string, ctx: CommandContext): Promise<void> {
  const where = await repositoryPath(path.resolve(file)).catch(() => undefined);
  if (where === undefined) return;
  const done = await addValueFileAttributes(where.root, where.path).catch(() => []);
  if (done.length > 0) ctx.info(`git merges ${file} with Custodian's driver now (.gitattributes): commit .gitattributes with it`);
}

export async function decryptValuesFile(args: Args, ctx: CommandContext): Promise<void> {
  const input = args.positionals[0];
  const out = args.string('out');
  const force = args.flag('force');
  await checkOutput(out, { force, mode: 0o600 });
  await checkInput(input);
  // Read first: a .enc given by mistake is named as one, not as a file of unknown format or a key asked for.
  const text = await readValuesText(input, ctx);
  const format = valuesFormatOf(args, input, out);
  const conflicted = isConflictedValues(text, format);
  // A file that is not value-encrypted is said to be so before a key or a passphrase is asked for.
  if (!conflicted) await namingFile(input, async () => valuesRecipients(text, format));
  const identities = await valuesIdentities(args, ctx, input);
  const required = await loadRequiredSigners(args, () => ctx.passphrases(args), ctx.backend());
  if (conflicted) return decryptConflicted(text, format, identities, input, out, force, ctx);
  const opened = await namingFile(input, () => openValues(text, { format, identities, backend: ctx.backend() }));
  try {
    // Every value, the MAC and the signature are verified before anything is written (§9).
    const status = opened.signature;
    const signer = required ? requireSigner(status.kind === 'signed' ? status.signer.fingerprint : undefined, required) : undefined;
    await writeValuesText(out, opened.document, ctx, { force, mode: 0o600 });
    await reportSigner(ctx, status.kind === 'signed' ? (signer ?? status.signer) : undefined, input);
  } finally {
    opened.dispose();
  }
}

/**
 * A file the git merge driver left in conflict (docs/VALUES.md §12): both sides are verified in full,
 * then the plaintexts are written with the conflict markers, for reading or resolving by hand.
 */
async function decryptConflicted(text: string, format: ValuesFormatName, identities: readonly ValuesIdentity[], input: string | undefined, out: string | undefined, force: boolean, ctx: CommandContext): Promise<void> {
  const opened = await namingFile(input, () => openConflictedValues(text, { format, identities, backend: ctx.backend() }));
  try {
    await writeValuesText(out, opened.document, ctx, { force, mode: 0o600 });
    for (const [side, o] of [['ours', opened.ours], ['theirs', opened.theirs]] as const) {
      const status = o.signature;
      await reportSigner(ctx, status.kind === 'signed' ? status.signer : undefined, input, `${side}: `);
    }
    ctx.warn(`${opened.conflicts} merge conflict(s): resolve them, then seal the file again (VS Code: edit the decrypted file and save)`);
  } finally {
    opened.ours.dispose();
    opened.theirs.dispose();
  }
}
