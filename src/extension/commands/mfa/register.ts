// The Shared MFA feature: its commands, its sidebar section, and what they are given.
import type * as vscode from 'vscode';
import type { SecretClipboard } from '../../clipboard';
import type { SharedMfa } from '../../mfa/shared-mfa';
import { MfaSection } from '../../views/sections/mfa-section';
import type { SidebarViews } from '../../views/tree';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import { addSharedMfa } from './add-shared-mfa';
import { removeSharedMfa } from './remove-shared-mfa';
import { copyMfaCode, showMfaCode } from './show-mfa-code';

export interface MfaDeps {
  mfa: SharedMfa;
  log: vscode.LogOutputChannel;
  clipboard: SecretClipboard;
}

const HANDLERS: Handlers<MfaDeps> = [
  [CommandId.AddSharedMfa, addSharedMfa],
  [CommandId.ShowMfaCode, showMfaCode],
  [CommandId.CopyMfaCode, copyMfaCode],
  [CommandId.RemoveSharedMfa, removeSharedMfa],
];

/** Adds the "Shared MFA" view and registers the MFA commands. */
export function registerMfaFeature(context: vscode.ExtensionContext, host: CommandHost, deps: MfaDeps, views: SidebarViews): void {
  const section = new MfaSection(deps.mfa, views);
  const view = views.addSection(section);
  context.subscriptions.push(section, view, section.attach(view.view));
  registerHandlers(context, host, deps, HANDLERS);
}
