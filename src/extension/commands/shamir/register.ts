// Registers the Shamir commands (as in commands/register.ts), the Shamir Sets tree section and what they share.
import * as vscode from 'vscode';
import { PlaintextDocuments, RECOVERED_SCHEME } from '../../editor/plaintext-documents';
import { ShareStore } from '../../shamir/share-store';
import { ShamirSection } from '../../views/sections/shamir-section';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import type { ShamirDeps, ShamirServices } from './deps';
import { recoverSecret } from './recover-secret';
import { releaseShare } from './release-share';
import { revealManifest } from './reveal-manifest';
import { splitSecret } from './split-secret';

const HANDLERS: Handlers<ShamirDeps> = [
  [CommandId.SplitSecret, splitSecret],
  [CommandId.ReleaseShare, releaseShare],
  [CommandId.RecoverSecret, recoverSecret],
  [CommandId.RevealShareManifest, revealManifest],
];

export function registerShamirCommands(context: vscode.ExtensionContext, host: CommandHost, services: ShamirServices): void {
  const deps: ShamirDeps = {
    services,
    session: services.session,
    store: new ShareStore(() => services.backend()),
    documents: new PlaintextDocuments(RECOVERED_SCHEME, '', vscode.l10n.t('a recovered secret'), services.globalStorageUri),
  };
  context.subscriptions.push(deps.store, deps.documents, services.views.addSection(new ShamirSection(services, deps.store)));
  registerHandlers(context, host, deps, HANDLERS);
}
