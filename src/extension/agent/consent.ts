// Asking the user before the agent uses a key for another process. A modal dialog: the answer is explicit,
// and focus returns to where it was (a notification's button leaves focus in the editor, so the next
// command typed in the terminal would land in whatever file is open, a decrypted one included). One
// prompt at a time (a burst of requests cannot stack up dialogs to click through); no answer within the
// time limit is a denial; "Allow for N minutes" lets this window's agent answer every process of this
// user until it expires (the audit log still records each use).
import * as vscode from 'vscode';
import { displayText } from '../../core/display-text';
import { commandLineOf, isRunning, runsThisRuntime, type GitCommand } from '../../node/agent-peer';
import type { ConsentAnswer, ConsentRequest } from '../../node/agent-server';
import type { AgentConfig } from '../config';
import { lazyCore } from '../lazy-core';

/**
 * Who asks, as the prompt and the log show it: the OS's account of the process, or that it gave none.
 * With `cliScript` (the CLI this extension ships), a process running it is shown as the `custodian …`
 * that was typed, not as the runtime and script paths the launcher or git put before the arguments.
 */
export function describePeer(peer: ConsentRequest['peer'], cliScript?: string): string {
  const argv = peer.argv;
  // The CLI this extension ships, run by this runtime: named as the command typed. Arguments alone do
  // not say so (exec -a), so another program is named by its command line and what it really runs.
  if (cliScript !== undefined && argv !== undefined && argv.length >= 2 && argv[1] === cliScript && runsThisRuntime(peer)) {
    // git's drivers: their arguments are git's temporary file names (.merge_file_vJk9zF …), which told a
    // newcomer nothing; the file they work on is named in the same sentence.
    if (argv[2] === 'git' && argv[3] === 'merge') return vscode.l10n.t('"custodian git merge" (git\'s merge driver, process {0})', String(peer.pid));
    if (argv[2] === 'git' && argv[3] === 'textconv') return vscode.l10n.t('"custodian git textconv" (git\'s diff driver, process {0})', String(peer.pid));
    return vscode.l10n.t('"{0}" (process {1})', displayText(commandLineOf(['custodian', ...argv.slice(2)])!), String(peer.pid));
  }
  const named = argv?.[0]?.split('/').pop();
  if (peer.commandLine && peer.exe !== undefined && named !== peer.exe.split('/').pop()) {
    return vscode.l10n.t('"{0}" (process {1}, running {2})', displayText(peer.commandLine), String(peer.pid), displayText(peer.exe));
  }
  if (peer.commandLine) return vscode.l10n.t('"{0}" (process {1})', displayText(peer.commandLine), String(peer.pid));
  if (peer.pid !== undefined) return vscode.l10n.t('process {0} (command line unknown)', String(peer.pid));
  return vscode.l10n.t('an unknown process (the system does not say which)');
}

/**
 * Who asked, as the log keeps it: the program, and for the CLI its command, never the rest of the command
 * line, which a careless user may have given a secret (`custodian set .env TOKEN=…`) and which the log
 * would copy into the output channel's file on disk. The prompt, on screen only, shows it whole.
 */
export function describePeerForLog(peer: ConsentRequest['peer'], cliScript?: string): string {
  // Without the arguments as a list, the first word of the line stands for the program.
  const argv = peer.argv ?? (peer.commandLine !== undefined ? peer.commandLine.split(' ', 2) : undefined);
  if (argv === undefined || argv.length === 0) return describePeer({ pid: peer.pid });
  const isCli = cliScript !== undefined && argv[1] === cliScript;
  const command = isCli && /^[a-z][a-z-]{0,19}$/.test(argv[2] ?? '') ? ` ${argv[2]}` : '';
  const program = isCli ? `custodian${command}` : (argv[0].split(/[\\/]/).pop() ?? argv[0]);
  const rest = argv.length > (isCli ? 2 + (command ? 1 : 0) : 1) ? ' …' : '';
  return describePeer({ pid: peer.pid, commandLine: `${program}${rest}` });
}

/** How long a process that was denied is denied again without a dialog. */
const DENIED_PROCESS_QUIET_MS = 60_000;

/** One process, for as long as it runs: its pid and its command line (a pid used again runs another). */
function processKey(peer: ConsentRequest['peer']): string | undefined {
  return peer.pid === undefined ? undefined : JSON.stringify([peer.pid, peer.argv ?? null]);
}

export class AgentConsent implements vscode.Disposable {
  private grantedUntil = 0;
  /** The git commands allowed, and the latest each answer lasts: shown while their git runs. */
  private gitGrants: { readonly git: GitCommand; readonly until: number }[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  /** Processes denied (pid and command line), until when they are denied again without a dialog (epoch ms). */
  private readonly deniedProcesses = new Map<string, number>();
  private readonly grantEmitter = new vscode.EventEmitter<void>();
  /** Fires when an "Allow for N minutes" grant starts or is ended early. */
  readonly onDidChangeGrant = this.grantEmitter.event;

  constructor(
    private readonly config: () => AgentConfig,
    /** The name my key has in the Keys view, by fingerprint: the prompt names a key as the user knows it. */
    private readonly keyName: (fingerprint: string) => string | undefined,
    /** The CLI this extension ships (dist/cli.js): a process running it is named `custodian …`. */
    private readonly cliScript?: string,
    private readonly now: () => number = Date.now,
    /** Whether a git process still runs (agent-peer `isRunning`; a seam for tests). */
    private readonly gitRunning: (git: GitCommand) => boolean = isRunning,
  ) {}

  /** The user's answer. Never rejects (a failure to ask is a denial). */
  ask(request: ConsentRequest): Promise<ConsentAnswer> {
    const next = this.queue.then(() => this.askNow(request));
    this.queue = next.catch(() => 'denied');
    return next.catch((): ConsentAnswer => 'denied');
  }

  /** Ends an "Allow for N minutes" grant early, and what is shown of "Allow for This git Command" answers. */
  revoke(): void {
    if (this.grantedUntil === 0 && this.gitGrants.length === 0) return;
    this.grantedUntil = 0;
    this.gitGrants = [];
    this.grantEmitter.fire();
  }

  /** When the current "Allow for N minutes" grant ends (epoch ms), or undefined when none is running. */
  grantEnd(): number | undefined {
    return this.now() < this.grantedUntil ? this.grantedUntil : undefined;
  }

  /**
   * The latest an "Allow for This git Command" answer whose git command still runs can last, or undefined
   * when none does: shown, so it can be ended (a trial read "allowed" left showing after git ended).
   */
  gitGrantEnd(): number | undefined {
    this.gitGrants = this.gitGrants.filter((g) => this.now() < g.until && this.gitRunning(g.git));
    return this.gitGrants.length === 0 ? undefined : Math.max(...this.gitGrants.map((g) => g.until));
  }

  dispose(): void {
    this.grantEmitter.dispose();
  }

  /** `"Work laptop" (hfz2cTVR)`: the name and the short fingerprint the Keys view shows. */
  private async describeKey(fingerprint: string): Promise<string> {
    const name = this.keyName(fingerprint);
    if (name === undefined) return displayText(fingerprint);
    const { shortFingerprint } = await lazyCore.keys();
    return vscode.l10n.t('"{0}" ({1})', displayText(name), shortFingerprint(fingerprint));
  }

  private async askNow(request: ConsentRequest): Promise<ConsentAnswer> {
    if (this.now() < this.grantedUntil) return 'allowed';
    // A process told no is not asked again for a while: a red team's process asked again and again, a new
    // modal dialog 0.2 s after each denial, holding the window and wearing the person down towards
    // "Allow for 10 Minutes". (A command run again is a new process, and is asked.)
    const asker = processKey(request.peer);
    const now = this.now();
    for (const [key, until] of this.deniedProcesses) if (until <= now) this.deniedProcesses.delete(key);
    if (asker !== undefined && this.deniedProcesses.has(asker)) return 'denied';
    const answer = await this.showDialog(request);
    if (answer === 'denied' && asker !== undefined) this.deniedProcesses.set(asker, this.now() + DENIED_PROCESS_QUIET_MS);
    return answer;
  }

  private async showDialog(request: ConsentRequest): Promise<ConsentAnswer> {
    const { consentTimeoutSeconds, allowMinutes } = this.config();
    const once = vscode.l10n.t('Allow Once');
    const window = vscode.l10n.t('Allow for {0} Minutes', String(allowMinutes));
    const deny = vscode.l10n.t('Deny');
    // A diff driver git runs once per version (`git log -p`): one answer may cover them all.
    const git = request.gitCommand;
    // A process with code loaded into it is offered nothing wider than Allow Once.
    const preloads = request.peer.preloads ?? [];
    const forGit = git === undefined || preloads.length > 0 ? undefined : vscode.l10n.t('Allow for This git Command');
    const key = await this.describeKey(request.key.fingerprint);
    // What the client says the file is (a claim); within the workspace, as the Explorer shows it.
    const file = request.file === undefined ? vscode.l10n.t('a file it did not name') : displayText(vscode.workspace.asRelativePath(request.file));
    const asks =
      request.op === 'unwrap'
        ? vscode.l10n.t('{0} asks to decrypt {1} with your key {2}. Allow it?', describePeer(request.peer, this.cliScript), file, key)
        : vscode.l10n.t('{0} asks to sign {1} with your key {2}. Allow it?', describePeer(request.peer, this.cliScript), file, key);
    // Code loaded into the process is said in the headline too: a hurried reader reads nothing else.
    const message = preloads.length > 0 ? `${vscode.l10n.t('Warning: this process was started with extra code loaded into it.')} ${asks}` : asks;
    const TIMED_OUT = Symbol('timed out');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), consentTimeoutSeconds * 1000);
    });
    // Each sentence describes a button the dialog shows: a process with code loaded into it is not
    // offered Allow for N Minutes, so it is not described to its user either.
    const usual = [
      vscode.l10n.t(
        'Allow Once lets this process do what this dialog names, for this file and key only, until it exits (decrypting a file covers signing it when the process writes it back: custodian set, a merge); anything else it asks is asked again.',
      ),
      ...(preloads.length > 0
        ? []
        : [vscode.l10n.t('Allow for {0} Minutes approves every process of yours, for any file, without asking, for the next {0} minutes or until this window closes.', String(allowMinutes))]),
      vscode.l10n.t('Enter, Escape and Cancel deny; so does no answer within {0} seconds.', String(consentTimeoutSeconds)),
    ].join(' ');
    const gitNote =
      forGit === undefined || git === undefined
        ? ''
        : `\n\n${vscode.l10n.t(
            'Allow for This git Command lets the diff driver that "{0}" (process {1}) runs decrypt any file with this key until that git command ends, for {2} minutes at most: git runs it once per version, so a git log -p would otherwise ask for each. It covers decrypting for display only, by that git command only.',
            displayText(git.commandLine ?? 'git'),
            String(git.pid),
            String(allowMinutes),
          )}`;
    // Code its environment loads into it (a repository's terminal settings can set NODE_OPTIONS) runs
    // inside the command the person typed, and would use whatever they allow it: said first.
    const detail =
      preloads.length > 0
        ? `${vscode.l10n.t('It was started with {0}: that code runs inside the process and would use what you allow. Deny unless you set this yourself; a repository\'s .vscode/settings.json can set it for your terminals (terminal.integrated.env).', preloads.map((p) => displayText(p)).join('; '))}\n\n${usual}${gitNote}`
        : `${usual}${gitNote}`;
    // Deny comes first: it is the dialog's default button, so Enter typed by habit in the terminal, where
    // the command was started, denies rather than hands over the key. VS Code's own Cancel stays beside it:
    // marking Deny as the close affordance would drop Cancel, but make "Allow Once" the default (tried).
    const items = preloads.length > 0 ? [deny, once] : forGit === undefined ? [deny, once, window] : [deny, once, forGit, window];
    const answer = Promise.resolve(vscode.window.showWarningMessage(message, { modal: true, detail }, ...items));
    const choice = await Promise.race([answer, timeout]);
    clearTimeout(timer);
    if (choice === TIMED_OUT) {
      // A dialog cannot be closed from here: a late "Allow" changes nothing, and says so.
      void answer.then((late) => {
        if (late === once || late === window || (late !== undefined && late === forGit)) {
          void vscode.window.showInformationMessage(vscode.l10n.t('Too late: that request had timed out and was denied. Run the command again.'));
        }
      });
      return 'timed-out';
    }
    if (choice === window) {
      this.grantedUntil = this.now() + allowMinutes * 60_000;
      this.grantEmitter.fire();
    }
    if (forGit !== undefined && git !== undefined && choice === forGit) {
      this.gitGrants.push({ git, until: this.now() + allowMinutes * 60_000 });
      this.grantEmitter.fire();
      return 'allowed-git-command';
    }
    return choice === once || choice === window ? 'allowed' : 'denied';
  }
}
