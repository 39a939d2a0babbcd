// X.509 certificates (RFC 5280): reading the key and subject out of one, and writing a self-signed
// one whose sha256WithRSAEncryption signature WebCrypto computes natively.
import { sha1 } from '@noble/hashes/legacy.js';
import { toBufferSource as bs, utf8Decode, utf8Encode } from './bytes';
import {
  children,
  contextTag,
  derBitString,
  derBoolean,
  derExplicit,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derUnsignedInteger,
  encodeTlv,
  parseDer,
  readBitStringBytes,
  readOid,
  sequence,
  Tag,
  type DerElement,
} from './der';
import { InvalidArgumentError, KeyFormatError } from './errors';
import { unwrapSpki } from './spki';

export const CERTIFICATE_LABEL = 'CERTIFICATE';

/** RFC 4055 §5 sha256WithRSAEncryption (RSASSA-PKCS1-v1_5 with SHA-256), parameters NULL. */
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
/** RFC 5280 §4.1.2.4 / Appendix A: commonName and PKCS#9 emailAddress. */
const OID_COMMON_NAME = '2.5.4.3';
const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
/** RFC 5280 §4.2.1.2, §4.2.1.3, §4.2.1.6, §4.2.1.9. */
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
/** RFC 5280 Appendix A upper bounds: ub-common-name, ub-emailaddress-length. */
const MAX_COMMON_NAME = 64;
const MAX_EMAIL = 255;
/** RFC 5280 §4.1.2.2: serial numbers are positive and at most 20 octets; we use 16 random ones. */
const SERIAL_BYTES = 16;
const DEFAULT_VALID_DAYS = 1825;
const MAX_VALID_DAYS = 36_500;
const DAY_MS = 86_400_000;

export interface CertificateInfo {
  /** SubjectPublicKeyInfo DER of the certified key (a view into the input). */
  readonly spkiDer: Uint8Array;
  readonly commonName?: string;
  readonly email?: string;
}

function readDirectoryString(element: DerElement): string | undefined {
  try {
    switch (element.tag) {
      case Tag.UTF8_STRING:
      case Tag.PRINTABLE_STRING:
      case Tag.IA5_STRING:
        return utf8Decode(element.value);
      case Tag.T61_STRING:
        return String.fromCharCode(...element.value);
      case Tag.BMP_STRING: {
        let s = '';
        for (let i = 0; i + 1 < element.value.length; i += 2) s += String.fromCharCode((element.value[i] << 8) | element.value[i + 1]);
        return s;
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Extracts the SPKI and the subject's CN / emailAddress from a certificate (RFC 5280 §4.1). */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  const [tbs] = sequence(parseDer(der), 'Certificate', 3, 3);
  const fields = sequence(tbs, 'TBSCertificate', 6, 10);
  const offset = fields[0].tag === contextTag(0, true) ? 1 : 0;
  const subject = fields[offset + 4];
  const spki = fields[offset + 5];
  sequence(spki, 'SubjectPublicKeyInfo', 2, 2);
  const spkiDer = encodeTlv(spki.tag, spki.value);
  unwrapSpki(spkiDer); // refuses non-RSA certificates by key type
  let commonName: string | undefined;
  let email: string | undefined;
  for (const rdn of sequence(subject, 'subject Name')) {
    if (rdn.tag !== Tag.SET) throw new KeyFormatError('malformed DER: subject RDN is not a SET');
    for (const atv of children(rdn)) {
      const [type, value] = sequence(atv, 'AttributeTypeAndValue', 2, 2);
      const oid = readOid(type, 'attribute type');
      if (oid === OID_COMMON_NAME) commonName ??= readDirectoryString(value);
      else if (oid === OID_EMAIL_ADDRESS) email ??= readDirectoryString(value);
    }
  }
  return { spkiDer, ...(commonName ? { commonName } : {}), ...(email ? { email } : {}) };
}

export interface SelfSignedOptions {
  commonName: string;
  email?: string;
  validDays?: number;
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always seconds, always Z. */
function derTime(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return encodeTlv(Tag.UTC_TIME, utf8Encode(digits.slice(2)));
  return encodeTlv(Tag.GENERALIZED_TIME, utf8Encode(digits));
}

function name(commonName: string, email?: string): Uint8Array {
  const rdns = [derSet(derSequence(derOid(OID_COMMON_NAME), encodeTlv(Tag.UTF8_STRING, utf8Encode(commonName))))];
  if (email) rdns.push(derSet(derSequence(derOid(OID_EMAIL_ADDRESS), encodeTlv(Tag.IA5_STRING, utf8Encode(email)))));
  return derSequence(...rdns);
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? derSequence(derOid(oid), derBoolean(true), derOctetString(value)) : derSequence(derOid(oid), derOctetString(value));
}

function validateOptions(options: SelfSignedOptions): { commonName: string; email?: string; validDays: number } {
  const commonName = typeof options?.commonName === 'string' ? options.commonName.trim() : '';
  if (commonName.length === 0 || commonName.length > MAX_COMMON_NAME || [...commonName].some((ch) => ch.charCodeAt(0) < 0x20)) {
    throw new InvalidArgumentError(`"commonName" must be 1 to ${MAX_COMMON_NAME} printable characters`);
  }
  const email = options.email?.trim() || undefined;
  if (email !== undefined && (email.length > MAX_EMAIL || !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(email))) {
    throw new InvalidArgumentError('"email" must be an ASCII address like name@example.com');
  }
  const validDays = options.validDays ?? DEFAULT_VALID_DAYS;
  if (!Number.isSafeInteger(validDays) || validDays < 1 || validDays > MAX_VALID_DAYS) {
    throw new InvalidArgumentError(`"validDays" must be an integer from 1 to ${MAX_VALID_DAYS}`);
  }
  return { commonName, email, validDays };
}

/**
 * A self-signed v3 certificate for `spkiDer`, signed with `pkcs8Der` (RSASSA-PKCS1-v1_5 / SHA-256).
 * It is a CA certificate for itself (basicConstraints cA) so `openssl verify -CAfile c c` accepts it.
 */
export async function createSelfSignedCertificateDer(pkcs8Der: Uint8Array, spkiDer: Uint8Array, options: SelfSignedOptions): Promise<Uint8Array> {
  const { commonName, email, validDays } = validateOptions(options);
  const serial = globalThis.crypto.getRandomValues(new Uint8Array(SERIAL_BYTES));
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive and of fixed length
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + validDays * DAY_MS);
  const signatureAlgorithm = derSequence(derOid(OID_SHA256_WITH_RSA), derNull());
  const subject = name(commonName, email);
  const extensions = [
    extension(OID_BASIC_CONSTRAINTS, true, derSequence(derBoolean(true))),
    // digitalSignature (0), keyEncipherment (2), keyCertSign (5): named bits 10100100, 2 unused.
    extension(OID_KEY_USAGE, true, derBitString(Uint8Array.of(0xa4), 2)),
    // Method (1) of RFC 5280 §4.2.1.2: SHA-1 of the subjectPublicKey bits (an identifier, not security).
    extension(OID_SUBJECT_KEY_IDENTIFIER, false, derOctetString(sha1(readBitStringBytes(sequence(parseDer(spkiDer), 'SubjectPublicKeyInfo', 2, 2)[1], 'subjectPublicKey')))),
  ];
  if (email) extensions.push(extension(OID_SUBJECT_ALT_NAME, false, derSequence(encodeTlv(contextTag(1, false), utf8Encode(email)))));
  const tbs = derSequence(
    derExplicit(0, derUnsignedInteger(2)), // v3
    derUnsignedInteger(serial),
    signatureAlgorithm,
    subject, // issuer == subject: self-signed
    derSequence(derTime(notBefore), derTime(notAfter)),
    subject,
    spkiDer,
    derExplicit(3, derSequence(...extensions)),
  );
  const key = await globalThis.crypto.subtle.importKey('pkcs8', bs(pkcs8Der), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, bs(tbs)));
  return derSequence(tbs, signatureAlgorithm, derBitString(signature));
}
