// The TOTP seeds currently shown in the tree, held in memory only while they are shown: each is forgotten
// (and zeroized) after IDLE_MS without the user asking for it again, when its file changes, or when the
// view is hidden. A timer aligned to whole seconds fires `onDidTick` so the tree can redraw the codes.
import * as vscode from 'vscode';
import { zeroize } from '../../core/bytes';
import type { TotpKey } from '../../core/otpauth';
import { lazyCore } from '../lazy-core';

/** How long a revealed code keeps refreshing after the user last asked for it. */
export const IDLE_MS = 2 * 60 * 1000;
const TICK_MS = 1000;

type TotpModule = Awaited<ReturnType<typeof lazyCore.totp>>;

export interface LiveCode {
  code: string;
  secondsRemaining: number;
  period: number;
}

interface Revealed {
  key: TotpKey;
  /** The version of the file the seed came from. */
  version: string;
  expires: number;
}

/** `123456` → `123 456`, `12345678` → `1234 5678`. */
export function groupCode(code: string): string {
  const half = Math.floor(code.length / 2);
  return `${code.slice(0, half)} ${code.slice(half)}`;
}

export class LiveCodes implements vscode.Disposable {
  private readonly revealed = new Map<string, Revealed>();
  private readonly tickEmitter = new vscode.EventEmitter<readonly string[]>();
  /** Fires every second with the ids whose code (or whose visibility) changed. */
  readonly onDidTick = this.tickEmitter.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private totp: TotpModule | undefined;

  /** @param now the clock, in milliseconds (injected for tests). */
  constructor(private readonly now: () => number = Date.now) {}

  dispose(): void {
    this.forgetAll();
    this.tickEmitter.dispose();
  }

  /** Takes ownership of `key` (its secret is zeroized when forgotten) and starts refreshing `id`. */
  async reveal(id: string, key: TotpKey, version: string): Promise<LiveCode> {
    this.totp ??= await lazyCore.totp();
    this.forget(id, false);
    this.revealed.set(id, { key, version, expires: this.now() + IDLE_MS });
    this.schedule();
    return this.current(id)!;
  }

  /** The file version a shown seed came from; undefined when `id` is not shown. */
  version(id: string): string | undefined {
    return this.revealed.get(id)?.version;
  }

  /** The code now, or undefined when `id` is not revealed (never decrypts anything). */
  current(id: string): LiveCode | undefined {
    const r = this.revealed.get(id);
    if (!r || !this.totp) return undefined;
    const seconds = this.now() / 1000;
    const { algorithm, digits, period } = r.key;
    return {
      code: this.totp.totp(r.key.secret, seconds, { algorithm, digits, period }),
      secondsRemaining: this.totp.secondsRemaining(seconds, period),
      period,
    };
  }

  forget(id: string, notify = true): void {
    const r = this.revealed.get(id);
    if (!r) return;
    zeroize(r.key.secret);
    this.revealed.delete(id);
    if (this.revealed.size === 0) this.stop();
    if (notify) this.tickEmitter.fire([id]);
  }

  forgetAll(): void {
    const ids = [...this.revealed.keys()];
    for (const id of ids) this.forget(id, false);
    if (ids.length > 0) this.tickEmitter.fire(ids);
  }

  /** Stops refreshing and forgets every seed when the view is hidden. */
  setVisible(visible: boolean): void {
    if (!visible) this.forgetAll();
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.revealed.size === 0) return;
    // Wake just after the next whole second, when the "seconds left" figure changes.
    const delay = TICK_MS - (this.now() % TICK_MS) + 5;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, delay);
  }

  private tick(): void {
    const now = this.now();
    const ids = [...this.revealed.keys()];
    for (const [id, r] of this.revealed) if (r.expires <= now) this.forget(id, false);
    this.schedule();
    if (ids.length > 0) this.tickEmitter.fire(ids);
  }
}
