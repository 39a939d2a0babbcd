// What the agent may do with my keys, and nothing more: list the public halves, unwrap one file's key,
// sign one digest. The private key is read from SecretStorage for each operation, used inside this
// process and zeroed; the agent feature never holds the key store itself.
import { zeroize } from '../../core/bytes';
import type { RsaPrivateKey, RsaPublicKey } from '../../core/keys';
import type { AgentKeyring } from '../../node/agent-server';
import { lazyCore } from '../lazy-core';
import type { ActiveKeyStore } from '../storage/active-key-store';

export function keyStoreKeyring(keys: ActiveKeyStore): AgentKeyring {
  const backend = memo(lazyCore.createBackend);

  async function withPrivateKey<T>(fingerprint: string, use: (key: RsaPrivateKey) => Promise<T>): Promise<T> {
    const store = keys.current;
    const info = store.findByFingerprint(fingerprint);
    // l10n-ignore: answered to the CLI over the agent socket, and the CLI speaks English only.
    if (!info) throw new RangeError(`"fingerprint" names no key of this window: ${fingerprint}`);
    const der = await store.getPrivateKeyDer(info.id);
    try {
      const { privateKeyFromPkcs8Der } = await lazyCore.keys();
      const key = privateKeyFromPkcs8Der(der);
      try {
        return await use(key);
      } finally {
        zeroize(key.pkcs8Der);
      }
    } finally {
      zeroize(der);
    }
  }

  return {
    async list(): Promise<RsaPublicKey[]> {
      const store = keys.current;
      const infos = store.list().sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
      return Promise.all(infos.map((i) => store.getPublicKey(i.id)));
    },
    unwrap: (fingerprint, header) =>
      withPrivateKey(fingerprint, async (key) => {
        const { unwrapHeaderFileKey } = await lazyCore.envelope();
        return unwrapHeaderFileKey(header, [key], await backend());
      }),
    sign: (fingerprint, digest) =>
      withPrivateKey(fingerprint, async (key) => {
        const { signTranscriptDigest } = await lazyCore.envelope();
        return signTranscriptDigest(key, digest, await backend());
      }),
    unwrapValues: (fingerprint, text, format) =>
      withPrivateKey(fingerprint, async (key) => {
        const { unwrapValuesDataKey } = await lazyCore.values();
        return unwrapValuesDataKey(text, format, key, await backend());
      }),
    signValues: (fingerprint, digest) =>
      withPrivateKey(fingerprint, async (key) => {
        const { signValuesDigest } = await lazyCore.values();
        return signValuesDigest(key, digest, await backend());
      }),
  };
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
