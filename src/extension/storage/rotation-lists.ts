// What a removed teammate could read, kept until someone says it was rotated. Remove Teammate makes the
// list (the files their key opened before the re-key shut them out); a notice is gone once dismissed, so
// the list stays in this workspace's state (file paths and value names only, never a value), shown in
// the Team view and by Show What to Rotate, until it is marked as done.
import * as vscode from 'vscode';
import type { KeepReason } from '../../core/recipient-policy';

const STATE_KEY = 'custodian.toRotate';

export interface RotationFile {
  /** The file's URI, as a string. */
  readonly uri: string;
  /** A value-encrypted file's encrypted values, by display name. */
  readonly values?: readonly string[];
  /** A `.env`, JSON or YAML `.enc` file's entries, by display name. */
  readonly entries?: readonly string[];
  /** A `.enc` file kept for chosen recipients: a share, an MFA seed, "chosen". */
  readonly keep?: KeepReason;
  /** A text file's encrypted selections they can open (Encrypt Selection's blocks and tokens). */
  readonly selections?: number;
  /** Someone said its secrets were rotated. */
  readonly rotated?: boolean;
}

export interface RotationList {
  /** The removed teammate's key. */
  readonly fingerprint: string;
  /** Their roster name. */
  readonly name: string;
  /** When they were removed (ISO 8601). */
  readonly removed: string;
  readonly files: readonly RotationFile[];
}

export class RotationLists implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly state: vscode.Memento) {}

  dispose(): void {
    this.changeEmitter.dispose();
  }

  list(): RotationList[] {
    const stored = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(stored) ? stored.filter(isRotationList) : [];
  }

  get(fingerprint: string): RotationList | undefined {
    return this.list().find((l) => l.fingerprint === fingerprint);
  }

  /** Keeps what `name` could read; a second removal of the same key replaces its list. */
  async record(list: RotationList): Promise<void> {
    await this.state.update(STATE_KEY, [...this.list().filter((l) => l.fingerprint !== list.fingerprint), list]);
    this.changeEmitter.fire();
  }

  /** The secrets of one file were rotated (or not, after all). */
  async markRotated(fingerprint: string, uri: string, rotated: boolean): Promise<void> {
    const lists = this.list().map((l) =>
      l.fingerprint !== fingerprint ? l : { ...l, files: l.files.map((f) => (f.uri !== uri ? f : { ...f, rotated })) },
    );
    await this.state.update(STATE_KEY, lists);
    this.changeEmitter.fire();
  }

  /**
   * A file came back to an older version (a rollback: what was rotated in it may be back): wherever it was
   * marked rotated, it is not any more.
   */
  async unmarkRotated(uri: string): Promise<void> {
    const lists = this.list();
    if (!lists.some((l) => l.files.some((f) => f.uri === uri && f.rotated))) return;
    await this.state.update(STATE_KEY, lists.map((l) => ({ ...l, files: l.files.map((f) => (f.uri === uri ? { ...f, rotated: false } : f)) })));
    this.changeEmitter.fire();
  }

  /** The secrets were rotated: the list is forgotten. */
  async done(fingerprint: string): Promise<void> {
    await this.state.update(STATE_KEY, this.list().filter((l) => l.fingerprint !== fingerprint));
    this.changeEmitter.fire();
  }
}

/** workspaceState is the workspace's to write (an older version, another extension): read defensively. */
function isRotationList(x: unknown): x is RotationList {
  const l = x as RotationList;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.fingerprint === 'string' &&
    typeof l.name === 'string' &&
    typeof l.removed === 'string' &&
    Array.isArray(l.files) &&
    l.files.every((f) => typeof f === 'object' && f !== null && typeof f.uri === 'string' && isNames(f.values) && isNames(f.entries) && (f.selections === undefined || typeof f.selections === 'number') && (f.rotated === undefined || typeof f.rotated === 'boolean'))
  );
}

function isNames(x: unknown): boolean {
  return x === undefined || (Array.isArray(x) && x.every((v) => typeof v === 'string'));
}
