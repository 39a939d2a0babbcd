// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and the key-algorithm identifiers we recognise, so a
// non-RSA key is refused by name instead of as "garbage".
import { derBitString, derNull, derOid, derSequence, expectTag, parseDer, readBitStringBytes, readOid, sequence, Tag, type DerElement } from './der';
import { KeyFormatError, UnsupportedKeyError } from './errors';

/** RFC 8017 §A.1 rsaEncryption; its parameters MUST be NULL (RFC 3279 §2.3.1). */
const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

const OTHER_KEY_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.2.840.10045.2.1': 'EC',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.3.1': 'DH',
};

/** rsaEncryption AlgorithmIdentifier, DER. */
export function rsaAlgorithmIdentifier(): Uint8Array {
  return derSequence(derOid(OID_RSA_ENCRYPTION), derNull());
}

/** Checks an AlgorithmIdentifier names rsaEncryption; names other key types in the error. */
export function expectRsaAlgorithm(element: DerElement | undefined, what: string): void {
  const [oidElement, params] = sequence(element, `${what} algorithm`, 1, 2);
  const oid = readOid(oidElement, `${what} algorithm`);
  if (oid !== OID_RSA_ENCRYPTION) {
    const name = OTHER_KEY_ALGORITHMS[oid];
    if (name) throw new UnsupportedKeyError(`unsupported key type ${name}: Custodian only supports RSA keys`);
    throw new UnsupportedKeyError(`unknown key algorithm (OID ${oid}); Custodian only supports RSA keys`);
  }
  if (params !== undefined) {
    expectTag(params, Tag.NULL, 'rsaEncryption parameters');
    if (params.value.length !== 0) throw new KeyFormatError('rsaEncryption parameters must be NULL');
  }
}

/** The RSAPublicKey DER inside an SPKI. */
export function unwrapSpki(spkiDer: Uint8Array): Uint8Array {
  return unwrapSpkiElement(parseDer(spkiDer));
}

function unwrapSpkiElement(element: DerElement): Uint8Array {
  const [algorithm, key] = sequence(element, 'SubjectPublicKeyInfo', 2, 2);
  expectRsaAlgorithm(algorithm, 'SubjectPublicKeyInfo');
  return readBitStringBytes(key, 'subjectPublicKey');
}

export function wrapSpki(rsaPublicKeyDer: Uint8Array): Uint8Array {
  return derSequence(rsaAlgorithmIdentifier(), derBitString(rsaPublicKeyDer));
}
