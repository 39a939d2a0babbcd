// Registers the Shamir commands, the Shamir Sets tree section and what they share. Same convention as
// commands/register.ts: one optional argument object, failures shown by ErrorReporter, never a rejection.
import * as vscode from 'vscode';
import { SecretClipboard } from '../../clipboard';
import type { Services } from '../../services';
import { RecoveredDocuments } from '../../shamir/recovered-document';
import { ShareStore } from '../../shamir/share-store';
import { ShamirSection } from '../../views/sections/shamir-section';
import { CommandId } from '../ids';
import type { ShamirDeps } from './deps';
import { recoverSecret } from './recover-secret';
import { releaseShare } from './release-share';
import { revealManifest } from './reveal-manifest';
import { splitSecret } from './split-secret';

type Handler = (deps: ShamirDeps, arg: unknown) => Promise<unknown>;

const HANDLERS: ReadonlyArray<readonly [CommandId, Handler]> = [
  [CommandId.SplitSecret, splitSecret],
  [CommandId.ReleaseShare, releaseShare],
  [CommandId.RecoverSecret, recoverSecret],
  [CommandId.RevealShareManifest, revealManifest],
];

export function registerShamirCommands(context: vscode.ExtensionContext, services: Services): void {
  const deps: ShamirDeps = {
    services,
    store: new ShareStore(services),
    documents: new RecoveredDocuments(),
    clipboard: new SecretClipboard(() => services.config().clipboardClearSeconds),
  };
  context.subscriptions.push(deps.store, deps.documents, deps.clipboard, services.tree.addSection(new ShamirSection(services, deps.store)));
  for (const [id, handler] of HANDLERS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (arg?: unknown) => {
        try {
          return await handler(deps, arg);
        } catch (err) {
          services.errors.report(err, id);
          return undefined;
        } finally {
          services.refresh();
        }
      }),
    );
  }
}
