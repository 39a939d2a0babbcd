// PEM (RFC 7468 textual encoding, plus the RFC 1421 headers legacy OpenSSL keys carry).
import { base64Decode, base64Encode } from './bytes';
import { KeyFormatError } from './errors';

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "PUBLIC KEY". */
  readonly label: string;
  /** RFC 1421 headers such as Proc-Type and DEK-Info (legacy encrypted keys only). */
  readonly headers: ReadonlyMap<string, string>;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([\s\S]*?)-----END \1-----/g;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

/** Every PEM block in `text`, in order. Text around the blocks (comments, bag attributes) is ignored. */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1];
    const lines = match[2].split(/\r?\n/);
    const headers = new Map<string, string>();
    let i = 0;
    if (lines.length > 0 && HEADER.test(lines[0].trim())) {
      for (; i < lines.length && lines[i].trim() !== ''; i++) {
        const h = HEADER.exec(lines[i].trim());
        if (!h) throw new KeyFormatError(`PEM "${label}" block has a malformed header line`);
        headers.set(h[1], h[2].trim());
      }
    }
    const body = lines.slice(i).join('').replace(/\s+/g, '');
    let der: Uint8Array;
    try {
      der = base64Decode(body);
    } catch (cause) {
      throw new KeyFormatError(`PEM "${label}" block does not contain valid base64`, { cause });
    }
    if (der.length === 0) throw new KeyFormatError(`PEM "${label}" block is empty`);
    blocks.push({ label, headers, der });
  }
  return blocks;
}

export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/** RFC 7468 §2: base64 lines of 64 characters, LF line endings, a final newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
