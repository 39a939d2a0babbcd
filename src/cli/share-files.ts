// Share files of a set on disk (docs/SHAMIR.md §9), as `custodian release` and `custodian combine` read
// them: the file name places the file in its set, manifest.json beside it says whose share it is and who
// must have signed it, and core/share-file.ts checks it exactly as VS Code's Recover Secret… does.
import * as path from 'node:path';
import type { CryptoBackend } from '../core/crypto-backend';
import { decryptBytes, inspectEnvelope, type DecryptionIdentity, type EnvelopeInfo } from '../core/envelope';
import { describeError, NoIdentityMatchedError } from '../core/errors';
import type { Share } from '../core/shamir';
import { checkOpenedShare, describeShareFileProblem, shareFileHeaderProblem, type ShareFileProblem, type ShareFileRef } from '../core/share-file';
import { MANIFEST_FILE, MAX_MANIFEST_BYTES, parseManifest, parseShareFileName, type ShareSetManifest } from '../core/share-set';
import { readSmallFile } from '../node/node-streams';
import { CliError } from './output';

/** A sealed share is a few KiB; the largest secret (64 KiB) makes one of about 90 KiB. */
const MAX_SHARE_FILE_BYTES = 4 * 1024 * 1024;

/** The command a custodian on the command line runs to release a share (named in hints here and in VS Code). */
export const RELEASE_COMMAND = 'custodian release';

export interface SetFile extends ShareFileRef {
  /** The path as given. */
  readonly file: string;
  readonly dir: string;
  readonly manifest: ShareSetManifest;
  readonly bytes: Uint8Array;
  readonly header: EnvelopeInfo;
}

const LAYOUT_HINT =
  'share files live in their set\'s folder, .custodian/shares/SET/, beside its manifest.json, named CUSTODIAN.share.enc or CUSTODIAN.release-to-WHO.share.enc (docs/SHAMIR.md §9): use the file where git checked it out';

/**
 * Reads a share file and its set's manifest, and checks its name and header (§9 step 1). Throws a
 * CliError naming the file when it is not a share file of a set.
 */
export async function readSetFile(file: string): Promise<SetFile> {
  const name = parseShareFileName(path.basename(file));
  if (!name) throw new CliError(`${file} is not named as a share file of a set`, { hint: LAYOUT_HINT });
  const dir = path.dirname(file);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await readSmallFile(manifestPath, MAX_MANIFEST_BYTES, manifestPath);
  } catch (err) {
    throw new CliError(`${file}: no readable ${manifestPath} beside it (${describeError(err)})`, { cause: err, hint: LAYOUT_HINT });
  }
  const manifest = parseManifest(new TextDecoder().decode(manifestBytes), path.basename(path.resolve(dir)));
  const custodian = manifest.custodians.find((c) => c.name === name.custodian);
  if (!custodian) {
    throw new CliError(`${file}: "${name.custodian}" is not a custodian of share set "${manifest.name}"`, {
      hint: `its custodians are ${manifest.custodians.map((c) => c.name).join(', ')}; a file named otherwise is not part of the set`,
    });
  }
  const bytes = await readSmallFile(file, MAX_SHARE_FILE_BYTES, file);
  const ref: ShareFileRef = { custodian, releasedTo: name.releasedTo };
  let header: EnvelopeInfo;
  try {
    header = await inspectEnvelope(bytes);
  } catch (err) {
    throw failed({ file, manifest, ...ref }, `its envelope header is unreadable (${describeError(err)})`, err);
  }
  const problem = shareFileHeaderProblem(manifest, ref, header);
  const setFile: SetFile = { file, dir, manifest, bytes, header, ...ref };
  if (problem) throw verificationError(setFile, problem);
  return setFile;
}

function failed(f: Pick<SetFile, 'file' | 'manifest' | 'custodian' | 'releasedTo'>, why: string, cause?: unknown): CliError {
  const from = f.releasedTo === undefined ? `the dealer (${f.manifest.dealer.name})` : f.custodian.name;
  return new CliError(`share file ${f.file} of set "${f.manifest.name}" failed verification: ${why}`, {
    cause,
    hint: `the file was modified or damaged, or does not belong to this set. Do not use it: ask ${from} to issue it again, and find out how it changed`,
  });
}

function verificationError(f: SetFile, problem: ShareFileProblem): CliError {
  return failed(f, describeShareFileProblem(problem, f.manifest, f));
}

/**
 * Decrypts a share file with my keys and checks it (§9 steps 2–3): the signature (the dealer's for a
 * share file, its custodian's for a release), then the share's set id, T, N and index. The plaintext
 * never leaves memory and is zeroed.
 */
export async function openSetFile(f: SetFile, identities: readonly DecryptionIdentity[], source: string, backend: CryptoBackend): Promise<Share> {
  let plaintext: Uint8Array | undefined;
  try {
    const opened = await decryptBytes(f.bytes, { identities, backend }).catch((err: unknown) => {
      if (err instanceof NoIdentityMatchedError) {
        const sealedTo = f.header.recipients.join(', ');
        throw new CliError(`${f.file} is sealed to ${sealedTo}, not to any of your keys (${source})`, {
          cause: err,
          hint:
            f.releasedTo === undefined
              ? `it is ${f.custodian.name}'s share: ask ${f.custodian.name} to release it to you (${RELEASE_COMMAND} ${f.file} -r YOU, or "Release My Share…" in VS Code)`
              : `a released share opens only for the person it was released to; ask ${f.custodian.name} to release it to you`,
        });
      }
      throw failed(f, describeError(err), err);
    });
    plaintext = opened.plaintext;
    const checked = checkOpenedShare(f.manifest, f, opened);
    if (checked.problem) throw verificationError(f, checked.problem);
    return checked.share;
  } finally {
    plaintext?.fill(0);
  }
}
