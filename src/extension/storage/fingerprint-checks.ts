// What Verify Fingerprint found, kept per user in globalState (public data, like contacts) and keyed by
// the key's fingerprint, as known_hosts keys by host key: a record speaks for that key only, so a roster
// entry whose key changes is unchecked again. A mismatch stays until a later check of the key matches;
// until then the views flag the key and encrypting to it asks first (CryptoSession).
import * as vscode from 'vscode';

export const FINGERPRINT_CHECKS_STATE_KEY = 'custodian.fingerprintChecks';

export type FingerprintCheck =
  | {
      result: 'match';
      /** Whom the fingerprint was compared with: the roster identity or contact name at the time. */
      name: string;
      /** ISO 8601 */
      time: string;
    }
  | {
      result: 'mismatch';
      name: string;
      time: string;
      /** What was read out to me, normalised (`SHA256:…`). */
      entered: string;
    };

interface StoredChecks {
  version: 1;
  checks: Record<string, FingerprintCheck>;
}

export class FingerprintChecks implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly state: vscode.Memento) {}

  dispose(): void {
    this.changeEmitter.dispose();
  }

  /** The last check of the key with this fingerprint, if there was one. */
  get(fingerprint: string): FingerprintCheck | undefined {
    const checks = this.read();
    return Object.prototype.hasOwnProperty.call(checks, fingerprint) ? checks[fingerprint] : undefined;
  }

  /** Keeps `check` as what is known of this key: it replaces the one before (a later match clears a mismatch). */
  async record(fingerprint: string, check: FingerprintCheck): Promise<void> {
    await this.state.update(FINGERPRINT_CHECKS_STATE_KEY, { version: 1, checks: { ...this.read(), [fingerprint]: check } } satisfies StoredChecks);
    this.changeEmitter.fire();
  }

  /** The stored records that parse; anything else (another version's, an edit) is left out. */
  private read(): Record<string, FingerprintCheck> {
    const stored = this.state.get<unknown>(FINGERPRINT_CHECKS_STATE_KEY);
    const checks = typeof stored === 'object' && stored !== null && (stored as { version?: unknown }).version === 1 ? (stored as { checks?: unknown }).checks : undefined;
    if (typeof checks !== 'object' || checks === null) return {};
    return Object.fromEntries(Object.entries(checks).filter((e): e is [string, FingerprintCheck] => isFingerprintCheck(e[1])));
  }
}

/** What to do about a key whose fingerprint did not match: said by the views, the question before encrypting and its error. */
export function checkAgain(name: string): string {
  return vscode.l10n.t('Check the fingerprint again with {0} over a channel you trust (Verify Fingerprint…), or remove them.', name);
}

function isFingerprintCheck(v: unknown): v is FingerprintCheck {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (typeof c.name !== 'string' || typeof c.time !== 'string' || Number.isNaN(Date.parse(c.time))) return false;
  // `entered` is shown in a code block: only the normalised form Verify Fingerprint stores.
  return c.result === 'match' || (c.result === 'mismatch' && typeof c.entered === 'string' && /^SHA256:[A-Za-z0-9+/]{43}$/.test(c.entered));
}
