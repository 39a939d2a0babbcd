// Copying secrets: the clipboard is cleared again after `custodian.clipboardClearSeconds` — but only if
// it still holds what we copied (the user may have copied something else since). Only a SHA-256 of the
// secret is kept to compare, never the secret itself. Pending clears also run when the extension stops.
import * as vscode from 'vscode';

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
  private digest: string | undefined;
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
    this.cancel();
    await this.clipboard.writeText(secret);
    const seconds = Math.max(0, this.seconds());
    if (seconds === 0) return { clearsInSeconds: 0 };
    this.digest = await sha256(secret);
    this.timer = setTimeout(() => void this.clearNow(), seconds * 1000);
    return { clearsInSeconds: seconds };
  }

  /** Clears the clipboard now if it still holds the last secret copied; resolves whether it did. */
  async clearNow(): Promise<boolean> {
    const digest = this.digest;
    this.cancel();
    if (!digest) return false;
    let cleared = false;
    try {
      if ((await sha256(await this.clipboard.readText())) === digest) {
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

async function sha256(text: string): Promise<string> {
  const bytes = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
