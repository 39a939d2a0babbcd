// Copying secrets: the clipboard is cleared again after `custodian.clipboardClearSeconds` — but only if
// it still holds what we copied (the user may have copied something else since). Only a keyed digest of
// the secret is kept to compare, never the secret itself. Pending clears also run when the extension stops.
// One instance (Services.clipboard) serves every feature: a copy replaces the pending clear of the last.
import * as vscode from 'vscode';
import { KeyedDigest } from './keyed-digest';

export interface ClipboardLike {
  readText(): Thenable<string>;
  writeText(value: string): Thenable<void>;
}

export interface CopyResult {
  /** Seconds until the clipboard is cleared; 0 when clearing is off. */
  clearsInSeconds: number;
}

export class SecretClipboard implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private digest: Uint8Array | undefined;
  private readonly digests = new KeyedDigest();
  /** Counts copies, so that a copy overtaken by a later one (both await the clipboard) schedules nothing. */
  private copies = 0;
  private readonly clearedEmitter = new vscode.EventEmitter<boolean>();
  /** Fires after a scheduled clear ran: true when the clipboard was cleared, false when it had changed. */
  readonly onDidClear = this.clearedEmitter.event;

  /** @param seconds the current `custodian.clipboardClearSeconds` (read at each copy). */
  constructor(
    private readonly seconds: () => number,
    private readonly clipboard: ClipboardLike = vscode.env.clipboard,
  ) {}

  dispose(): void {
    void this.clearNow();
    this.clearedEmitter.dispose();
  }

  async copy(secret: string): Promise<CopyResult> {
    const copy = ++this.copies;
    this.cancel();
    await this.clipboard.writeText(secret);
    const seconds = Math.max(0, this.seconds());
    if (seconds === 0) return { clearsInSeconds: 0 };
    const digest = this.digests.of(secret);
    // A later copy replaced this secret on the clipboard and owns the (single) pending clear.
    if (copy !== this.copies) return { clearsInSeconds: seconds };
    this.digest = digest;
    this.timer = setTimeout(() => void this.clearNow(), seconds * 1000);
    return { clearsInSeconds: seconds };
  }

  /** Clears the clipboard now if it still holds the last secret copied; resolves whether it did. */
  async clearNow(): Promise<boolean> {
    const digest = this.digest;
    const copies = this.copies;
    this.cancel();
    if (!digest) return false;
    let cleared = false;
    try {
      const current = this.digests.of(await this.clipboard.readText());
      // Not when a copy started meanwhile: its secret may be on the clipboard by now.
      if (this.digests.same(current, digest) && copies === this.copies) {
        await this.clipboard.writeText('');
        cleared = true;
      }
    } catch {
      // The clipboard can be unavailable while the window closes.
    }
    this.clearedEmitter.fire(cleared);
    return cleared;
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.digest = undefined;
  }
}
