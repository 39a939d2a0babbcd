// Sealing shares in `.enc` envelopes and opening them with my keys, with every check the layout
// promises: the right signer (dealer for a share file, the custodian for a release), and share
// metadata that agrees with the manifest. Each failure names the file; none quotes share bytes.
import * as vscode from 'vscode';
import { zeroize } from '../../core/bytes';
import { CustodianError, describeError } from '../../core/errors';
import type { CryptoBackend } from '../../core/crypto-backend';
import type { RsaPrivateKey, RsaPublicKey } from '../../core/keys';
import type { Share } from '../../core/shamir';
import { noKeysError } from '../commands/pick';
import type { CryptoSession } from '../crypto-session';
import type { KeyInfo, KeyStore } from '../storage/key-store';
import type { Roster } from '../storage/roster';
import { ShareSetError, fileNamePart, shareFileProblemText, type ShareSetManifest } from './share-set';
import type { ShareFileInfo } from './share-store';
import { lazyCore } from '../lazy-core';

/** What share crypto reads: my keys, the roster, who is who, and the crypto backend. */
export interface ShareCryptoDeps {
  readonly keyStore: KeyStore;
  readonly roster: Roster;
  readonly session: CryptoSession;
  readonly backend: () => Promise<CryptoBackend>;
}

/** Someone a share can be sealed to: a teammate, a contact, or one of my keys. */
export interface Person {
  /** Shown in pickers and messages. */
  label: string;
  /** Used in file names (`<custodian>.release-to-<filePart>.share.enc`). */
  filePart: string;
  fingerprint: string;
  key: RsaPublicKey;
  kind: 'teammate' | 'contact' | 'me';
}

/** Everyone with a known key (mine, the roster, contacts: CryptoSession.knownKeys), named for files. */
export async function knownPeople(services: ShareCryptoDeps): Promise<Person[]> {
  const rosterNames = new Map((await services.roster.members()).map((m) => [m.key.fingerprint, m.name]));
  return (await services.session.knownKeys()).map((k) => {
    const rosterName = rosterNames.get(k.fingerprint);
    const kind = k.source === 'mine' ? 'me' : k.source === 'roster' ? 'teammate' : 'contact';
    const filePart = rosterName ?? fileNamePart(k.name) ?? `${kind}-${k.fingerprint.slice(7, 15).replace(/[^A-Za-z0-9]/g, 'x')}`;
    return { label: rosterName ?? k.name, filePart, fingerprint: k.fingerprint, key: k.key, kind };
  });
}

/** My private keys, read from the keychain (CryptoSession) once per command and zeroized on dispose. */
export class MyIdentities implements vscode.Disposable {
  private readonly session: CryptoSession;
  private readonly unlocked = new Map<string, RsaPrivateKey>();

  constructor(private readonly services: ShareCryptoDeps) {
    this.session = services.session;
  }

  dispose(): void {
    this.session.release(...this.unlocked.values());
    this.unlocked.clear();
  }

  keys(): KeyInfo[] {
    return this.services.keyStore.list();
  }

  has(fingerprint: string): boolean {
    return this.services.keyStore.findByFingerprint(fingerprint) !== undefined;
  }

  /** My default key, as dealer (and signer of what Recover writes). */
  async dealer(): Promise<RsaPrivateKey> {
    const info = this.services.keyStore.getDefault();
    if (!info) throw noKeysError();
    return this.get(info.fingerprint);
  }

  async get(fingerprint: string): Promise<RsaPrivateKey> {
    const cached = this.unlocked.get(fingerprint);
    if (cached) return cached;
    const [key] = await this.session.identitiesFor([fingerprint], vscode.l10n.t('this share'));
    this.unlocked.set(fingerprint, key);
    return key;
  }
}

/** Seals one share's text form to `recipient`, signed by `signer` (core/share-set.ts). */
export async function sealShare(services: ShareCryptoDeps, share: Share, recipient: RsaPublicKey, signer: RsaPrivateKey): Promise<Uint8Array> {
  const [shareFile, backend] = await Promise.all([lazyCore.shareFile(), services.backend()]);
  return shareFile.sealShare(share, recipient, signer, backend);
}

/**
 * Opens a share file sealed to one of my keys and checks it: the signature (dealer for a share
 * file, the custodian for a release) and the share's set id, T, N and index against the manifest.
 */
export async function openShareFile(
  services: ShareCryptoDeps,
  manifest: ShareSetManifest,
  info: ShareFileInfo,
  bytes: Uint8Array,
  identities: MyIdentities,
): Promise<Share> {
  const [{ decryptBytes }, { checkOpenedShare }, backend] = await Promise.all([
    lazyCore.envelope(),
    lazyCore.shareFile(),
    services.backend(),
  ]);
  const fail = (why: string, cause?: unknown) =>
    new ShareSetError(vscode.l10n.t('Share file {0} of set "{1}" failed verification: {2}', info.file, manifest.name, why), {
      cause,
      hint:
        info.releasedTo === undefined
          ? vscode.l10n.t('The file was modified or damaged, or does not belong to this set. Do not use it: ask the dealer ({0}) to issue it again, and find out how it changed.', manifest.dealer.name)
          : vscode.l10n.t('The file was modified or damaged, or does not belong to this set. Do not use it: ask {0} to issue it again, and find out how it changed.', info.custodian.name),
    });
  if (info.problem) throw fail(info.problem);
  const mine = info.recipients.filter((fp) => identities.has(fp));
  if (mine.length === 0) throw new CustodianError(vscode.l10n.t('{0} is not sealed to any of your keys.', info.file));
  const identity = await identities.get(mine[0]);
  let plaintext: Uint8Array | undefined;
  try {
    const opened = await decryptBytes(bytes, { identities: [identity], backend }).catch((err: unknown) => {
      throw fail(describeError(err), err);
    });
    plaintext = opened.plaintext;
    // SHAMIR.md §9 steps 2–3, as the CLI checks them (core/share-set.ts).
    const checked = checkOpenedShare(manifest, info, opened);
    if (checked.problem) throw fail(shareFileProblemText(checked.problem, manifest, info));
    return checked.share;
  } finally {
    zeroize(plaintext);
  }
}
