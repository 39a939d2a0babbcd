// Bundled for a browser by web-host.test.ts (esbuild, platform "browser": a Node built-in anywhere in
// the core or its libraries fails the bundle) and run in headless Chromium, whose WebCrypto is the only
// native crypto there: what VS Code for the Web's extension host has. Imports the core only.
import { hexEncode } from '../../src/core/bytes';
import { decryptBytes, encryptBytes } from '../../src/core/envelope';
import { parsePrivateKey } from '../../src/core/keys';
import { combineShares, splitSecret } from '../../src/core/shamir';
import { totp } from '../../src/core/totp';
import { openValues, sealValues } from '../../src/core/values';
import { createWebCryptoBackend } from '../../src/core/webcrypto-backend';

export interface WebHostInput {
  /** test/vectors/envelope/default-chunk-size-signed.json: the file (base64) and bob's key (PEM). */
  envelopeBase64: string;
  bobPem: string;
  alicePem: string;
  /** A plaintext YAML document to seal for alice and open again. */
  yaml: string;
  /** RFC 6238's SHA-1 seed (ASCII) and a time: the code has 8 digits there. */
  totpSeed: string;
  totpTime: number;
}

export interface WebHostOutput {
  envelopePlaintextSha256: string;
  envelopeSigner: string | undefined;
  roundTrip: string;
  sealedHasTokens: boolean;
  opened: string;
  shamir: string;
  totp: string;
  nativeSubtle: boolean;
}

export async function run(input: WebHostInput): Promise<WebHostOutput> {
  const backend = createWebCryptoBackend();
  const bob = await parsePrivateKey(input.bobPem);
  const alice = await parsePrivateKey(input.alicePem);
  const file = Uint8Array.from(atob(input.envelopeBase64), (c) => c.charCodeAt(0));
  const vector = await decryptBytes(file, { identities: [bob], backend });
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', vector.plaintext as Uint8Array<ArrayBuffer>));

  const message = new TextEncoder().encode('a secret typed in a browser');
  const sealed = await encryptBytes(message, { recipients: [alice.publicKey], signer: bob, backend });
  const back = await decryptBytes(sealed, { identities: [alice], backend });

  const sealedYaml = await sealValues(input.yaml, { format: 'yaml', recipients: [alice.publicKey], signer: bob, backend });
  const opened = await openValues(sealedYaml, { format: 'yaml', identities: [alice], backend });

  const shares = splitSecret(new TextEncoder().encode('break-glass'), { threshold: 2, shares: 3 });
  const recovered = combineShares([shares[2], shares[0]]);

  return {
    envelopePlaintextSha256: hexEncode(digest),
    envelopeSigner: vector.signature.kind === 'signed' ? vector.signature.signer.fingerprint : undefined,
    roundTrip: new TextDecoder().decode(back.plaintext),
    sealedHasTokens: sealedYaml.includes('custodian-val1.') && !sealedYaml.includes('hunter2'),
    opened: opened.document,
    shamir: new TextDecoder().decode(recovered),
    totp: totp(new TextEncoder().encode(input.totpSeed), input.totpTime, { digits: 8 }),
    nativeSubtle: typeof globalThis.crypto?.subtle?.encrypt === 'function' && typeof (globalThis as { process?: unknown }).process === 'undefined',
  };
}

/**
 * The same vector where the browser withholds WebCrypto (a page not in a secure context): the error says
 * so, not that the key is wrong, which would send a person after the wrong problem.
 */
export async function runWithoutWebCrypto(input: WebHostInput): Promise<{ name: string; message: string; hint?: string }> {
  const bob = await parsePrivateKey(input.bobPem);
  const file = Uint8Array.from(atob(input.envelopeBase64), (c) => c.charCodeAt(0));
  try {
    await decryptBytes(file, { identities: [bob], backend: createWebCryptoBackend() });
    return { name: 'none', message: 'decrypted' };
  } catch (err) {
    return { name: (err as Error).constructor.name, message: (err as Error).message, hint: (err as { hint?: string }).hint };
  }
}
