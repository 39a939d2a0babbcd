// Re-encrypt for Team: a `.enc` file (or every drifted one in the workspace) is decrypted with my key
// and encrypted again to the current roster of its workspace folder (plus me when
// custodian.alwaysIncludeMyself is on), signed by me, replacing the file atomically. A roster with
// unusable entries stops the run before any file changes. Files I cannot decrypt are listed in the
// result and the message, never skipped silently; a failure leaves that file as it was.
import * as vscode from 'vscode';
import { CustodianError, describeError } from '../../../core/errors';
import type { RsaPrivateKey } from '../../../core/keys';
import type { CryptoSession, KnownKey } from '../../crypto-session';
import { readEnvelopeHeader, reencryptFile } from '../../fs/envelope-files';
import { encTargets, rel } from '../decrypt/target';
import type { EncDeps } from '../encrypt/deps';
import { asObject } from '../pick';

export interface ReencryptArgs {
  uri?: vscode.Uri;
  uris?: vscode.Uri[];
  /** No confirmation or summary message. */
  quiet?: boolean;
  cancellationToken?: vscode.CancellationToken;
}

export interface ReencryptResult {
  reencrypted: vscode.Uri[];
  /** Already encrypted to exactly the team (workspace run only). */
  unchanged: vscode.Uri[];
  failed: { uri: vscode.Uri; reason: string; errorName: string }[];
  recipients: string[];
}

export async function reencryptFiles(deps: EncDeps, first: unknown, second: unknown): Promise<ReencryptResult> {
  const { args, uris } = encTargets<ReencryptArgs>(first, second);
  return reencrypt(deps, uris, args, false);
}

export async function reencryptWorkspace(deps: EncDeps, arg: unknown): Promise<ReencryptResult> {
  const args = asObject<ReencryptArgs>(arg);
  const report = await deps.drift.scan();
  const result = await reencrypt(
    deps,
    report.entries.filter((e) => e.status !== 'ok').map((e) => e.uri),
    args,
    true,
  );
  result.unchanged.push(...report.entries.filter((e) => e.status === 'ok').map((e) => e.uri));
  return result;
}

async function reencrypt(deps: EncDeps, uris: vscode.Uri[], args: Partial<ReencryptArgs>, workspace: boolean): Promise<ReencryptResult> {
  const teams = await teamsOf(deps.session, uris);
  const everyone = [...new Map([...teams.values()].flat().map((k) => [k.fingerprint, k])).values()];
  const result: ReencryptResult = { reencrypted: [], unchanged: [], failed: [], recipients: everyone.map((k) => k.fingerprint) };
  if (uris.length === 0) {
    if (!args.quiet) void vscode.window.showInformationMessage('Every .enc file in the workspace is already encrypted for the current team.');
    return result;
  }
  const backend = await deps.services.backend();
  const signer = await deps.session.signer();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Re-encrypting for the team', cancellable: true },
      async (progress, token) => {
        for (const uri of uris) {
          if (token.isCancellationRequested || args.cancellationToken?.isCancellationRequested) break;
          progress.report({ message: rel(uri), increment: 100 / uris.length });
          let identities: RsaPrivateKey[] = [];
          try {
            const header = await readEnvelopeHeader(uri.fsPath);
            identities = await deps.session.identitiesFor(header.recipients, rel(uri));
            const team = teams.get(folderKey(deps.session, uri))!;
            await reencryptFile(uri.fsPath, { identities, recipients: team.map((k) => k.key), signer, backend, token: args.cancellationToken });
            result.reencrypted.push(uri);
          } catch (err) {
            result.failed.push({ uri, reason: describeError(err), errorName: err instanceof Error ? err.name : 'Error' });
          } finally {
            deps.session.release(...identities);
          }
        }
      },
    );
  } finally {
    deps.session.release(signer);
  }
  deps.services.log.info(`re-encrypt: ${result.reencrypted.length} re-encrypted, ${result.failed.length} failed`);
  if (!args.quiet) announce(result, everyone.map((k) => k.name), workspace);
  return result;
}

/**
 * The team of each workspace folder the files are in (the first folder's when there are none), all read
 * before any file changes: a folder without a roster, or with unusable entries, stops the whole run.
 */
async function teamsOf(session: CryptoSession, uris: vscode.Uri[]): Promise<Map<string, KnownKey[]>> {
  const teams = new Map<string, KnownKey[]>();
  for (const uri of uris.length > 0 ? uris : [undefined]) {
    const key = folderKey(session, uri);
    if (teams.has(key)) continue;
    const team = await session.teamRecipients(uri);
    if (!team.some((k) => k.source === 'roster')) {
      throw new CustodianError('This workspace has no team roster to re-encrypt for.', { hint: 'Add yourself and your teammates to the team first.' });
    }
    teams.set(key, team);
  }
  return teams;
}

function folderKey(session: CryptoSession, uri: vscode.Uri | undefined): string {
  return session.teamFolder(uri)?.uri.toString() ?? '';
}

function announce(result: ReencryptResult, names: string[], workspace: boolean): void {
  const done = result.reencrypted.length;
  const what = done === 1 ? rel(result.reencrypted[0]) : `${done} files`;
  if (done > 0) void vscode.window.showInformationMessage(`Re-encrypted ${what} for ${names.join(', ')}.`);
  if (result.failed.length > 0) {
    const list = result.failed.map((f) => `${rel(f.uri)} (${f.reason})`).join('; ');
    const still = workspace ? ' They still have their old recipients.' : '';
    void vscode.window.showWarningMessage(`Could not re-encrypt ${result.failed.length === 1 ? '1 file' : `${result.failed.length} files`}: ${list}.${still}`);
  }
}
