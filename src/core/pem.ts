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

// Matched against one line at a time, anchored at its end, with a bounded label: each line costs at
// most a constant times its length, so hostile text (a megabyte of BEGIN lines) stays linear.
const BEGIN = /-----BEGIN ([A-Z0-9 ]{1,64})-----$/;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

function decodeBlock(label: string, lines: readonly string[]): PemBlock {
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
  return { label, headers, der };
}

/**
 * Every PEM block in `text`, in order, in one pass over its lines. Text around the blocks (comments,
 * bag attributes) is ignored, and so is a block with no END line: a BEGIN line inside an open block
 * starts over from there.
 */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open: { label: string; end: string; lines: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (open) {
      const at = line.indexOf(open.end);
      if (at >= 0) {
        open.lines.push(line.slice(0, at));
        blocks.push(decodeBlock(open.label, open.lines));
        open = undefined;
        continue;
      }
    }
    const begin = line.includes('-----BEGIN ') ? BEGIN.exec(line) : null;
    if (begin) open = { label: begin[1], end: `-----END ${begin[1]}-----`, lines: [] };
    else open?.lines.push(line);
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
