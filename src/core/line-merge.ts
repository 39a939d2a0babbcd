// A three-way line merge with `git merge-file`'s defaults (xdiff/xmerge.c: level "zealous-alnum",
// style "merge", no favouring), so an encrypted file merges exactly as its plaintext would: the
// same hunks merge cleanly, and the same ones conflict, with the same markers.
import { InvalidArgumentError } from './errors';
import { diffLines, splitLines, type LineChange } from './line-diff';

/** git's default conflict marker length (`%L` of a merge driver). */
export const DEFAULT_MARKER_SIZE = 7;

export interface MergeLabels {
  /** Shown after `<<<<<<<`: the current branch's side. */
  readonly ours?: string;
  /** Shown after `>>>>>>>`: the other side. */
  readonly theirs?: string;
}

export interface MergeResult {
  /** The merged text; with conflict markers when `conflicts > 0`. */
  readonly text: string;
  /** Number of conflict hunks (what `git merge-file` returns as its exit status). */
  readonly conflicts: number;
}

/** A merged region (xdmerge_t): mode 0 conflict, 1 ours, 2 theirs, 4 both sides made the same change. */
interface Region {
  mode: number;
  i0: number;
  chg0: number;
  i1: number;
  chg1: number;
  i2: number;
  chg2: number;
}

/** xdl_append_merge: a region that touches the previous one joins it (and a mix becomes a conflict). */
function append(regions: Region[], r: Region): void {
  const m = regions[regions.length - 1];
  if (m && (r.i1 <= m.i1 + m.chg1 || r.i2 <= m.i2 + m.chg2)) {
    if (r.mode !== m.mode) m.mode = 0;
    m.chg0 = r.i0 + r.chg0 - m.i0;
    m.chg1 = r.i1 + r.chg1 - m.i1;
    m.chg2 = r.i2 + r.chg2 - m.i2;
  } else {
    regions.push({ ...r });
  }
}

function sameLines(a: readonly string[], ai: number, b: readonly string[], bi: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

/** xdl_do_merge's walk over both scripts. */
function mergeScripts(s1: readonly LineChange[], s2: readonly LineChange[], ours: readonly string[], theirs: readonly string[], baseLen: number): Region[] {
  const regions: Region[] = [];
  let p = 0;
  let q = 0;
  while (p < s1.length && q < s2.length) {
    const x1 = s1[p];
    const x2 = s2[q];
    if (x1.i1 + x1.chg1 < x2.i1) {
      append(regions, { mode: 1, i0: x1.i1, chg0: x1.chg1, i1: x1.i2, chg1: x1.chg2, i2: x2.i2 - x2.i1 + x1.i1, chg2: x1.chg1 });
      p++;
      continue;
    }
    if (x2.i1 + x2.chg1 < x1.i1) {
      append(regions, { mode: 2, i0: x2.i1, chg0: x2.chg1, i1: x1.i2 - x1.i1 + x2.i1, chg1: x2.chg1, i2: x2.i2, chg2: x2.chg2 });
      q++;
      continue;
    }
    if (x1.i1 !== x2.i1 || x1.chg1 !== x2.chg1 || x1.chg2 !== x2.chg2 || !sameLines(ours, x1.i2, theirs, x2.i2, x1.chg2)) {
      const off = x1.i1 - x2.i1;
      const ffo = off + x1.chg1 - x2.chg1;
      let i0 = x1.i1;
      let i1 = x1.i2;
      let i2 = x2.i2;
      if (off > 0) {
        i0 -= off;
        i1 -= off;
      } else {
        i2 += off;
      }
      let chg0 = x1.i1 + x1.chg1 - i0;
      let chg1 = x1.i2 + x1.chg2 - i1;
      let chg2 = x2.i2 + x2.chg2 - i2;
      if (ffo < 0) {
        chg0 -= ffo;
        chg1 -= ffo;
      } else {
        chg2 += ffo;
      }
      append(regions, { mode: 0, i0, chg0, i1, chg1, i2, chg2 });
    }
    const end1 = x1.i1 + x1.chg1;
    const end2 = x2.i1 + x2.chg1;
    if (end1 >= end2) q++;
    if (end2 >= end1) p++;
  }
  for (; p < s1.length; p++) {
    const x1 = s1[p];
    append(regions, { mode: 1, i0: x1.i1, chg0: x1.chg1, i1: x1.i2, chg1: x1.chg2, i2: x1.i1 + theirs.length - baseLen, chg2: x1.chg1 });
  }
  for (; q < s2.length; q++) {
    const x2 = s2[q];
    append(regions, { mode: 2, i0: x2.i1, chg0: x2.chg1, i1: x2.i1 + ours.length - baseLen, chg1: x2.chg1, i2: x2.i2, chg2: x2.chg2 });
  }
  return regions;
}

/** xdl_refine_conflicts: a conflict shrinks to the lines where ours and theirs really differ. */
function refineConflicts(regions: Region[], ours: readonly string[], theirs: readonly string[]): Region[] {
  const out: Region[] = [];
  for (const m of regions) {
    if (m.mode !== 0 || m.chg1 === 0 || m.chg2 === 0) {
      out.push(m);
      continue;
    }
    const script = diffLines(ours.slice(m.i1, m.i1 + m.chg1), theirs.slice(m.i2, m.i2 + m.chg2));
    if (script.length === 0) {
      out.push({ ...m, mode: 4 });
      continue;
    }
    for (const [k, x] of script.entries()) {
      out.push({ mode: 0, i0: k === 0 ? m.i0 : 0, chg0: k === 0 ? m.chg0 : 0, i1: x.i1 + m.i1, chg1: x.chg1, i2: x.i2 + m.i2, chg2: x.chg2 });
    }
  }
  return out;
}

function containsAlnum(lines: readonly string[], from: number, count: number): boolean {
  for (let k = from; k < from + count; k++) if (/[A-Za-z0-9]/.test(lines[k])) return true;
  return false;
}

/** xdl_simplify_non_conflicts: conflicts at most three lines apart (or only punctuation apart) join. */
function simplifyNonConflicts(regions: Region[], ours: readonly string[]): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    const m = out[out.length - 1];
    if (m && m.mode === 0 && r.mode === 0) {
      const begin = m.i1 + m.chg1;
      const end = r.i1;
      if (end - begin <= 3 || !containsAlnum(ours, begin, end - begin)) {
        m.chg1 = r.i1 + r.chg1 - m.i1;
        m.chg2 = r.i2 + r.chg2 - m.i2;
        continue;
      }
    }
    out.push({ ...r });
  }
  return out;
}

/** xdiff's is_eol_crlf: 1 CRLF, 0 LF, -1 cannot tell. */
function eolIsCrlf(lines: readonly string[], i: number): number {
  const endsCrlf = (s: string): boolean => s.length > 1 && s.endsWith('\r\n');
  if (i < lines.length - 1) return endsCrlf(lines[i]) ? 1 : 0;
  if (lines.length === 0) return -1;
  if (lines[i].endsWith('\n')) return endsCrlf(lines[i]) ? 1 : 0;
  if (i === 0) return -1;
  return endsCrlf(lines[i - 1]) ? 1 : 0;
}

function crNeeded(base: readonly string[], ours: readonly string[], theirs: readonly string[], m: Region): boolean {
  let needsCr = eolIsCrlf(ours, m.i1 ? m.i1 - 1 : 0);
  if (needsCr) needsCr = eolIsCrlf(theirs, m.i2 ? m.i2 - 1 : 0);
  if (needsCr) needsCr = eolIsCrlf(base, 0);
  return needsCr > 0;
}

/** xdl_recs_copy: lines as they are, with a line end added to the last one when asked. */
function copyLines(out: string[], lines: readonly string[], from: number, count: number, needsCr: boolean, addNl: boolean): void {
  for (let k = from; k < from + count; k++) out.push(lines[k]);
  if (addNl && count > 0 && !lines[from + count - 1].endsWith('\n')) out.push(needsCr ? '\r\n' : '\n');
}

function marker(char: string, size: number, label: string | undefined, cr: boolean): string {
  return char.repeat(size) + (label === undefined ? '' : ` ${label}`) + (cr ? '\r\n' : '\n');
}

function assertMarkerSize(markerSize: number): void {
  if (!Number.isSafeInteger(markerSize) || markerSize < 1 || markerSize > 1024) {
    throw new InvalidArgumentError(`"markerSize" expected an integer in 1..1024, got ${markerSize}`);
  }
}

/**
 * Merges the changes from `base` to `ours` and from `base` to `theirs`. Clean hunks are taken from
 * whichever side changed them; overlapping (or touching) different changes become a conflict hunk
 * `<<<<<<< ours` … `=======` … `>>>>>>> theirs`, as `git merge-file -L ours -L base -L theirs` writes it.
 */
export function mergeLines(base: string, ours: string, theirs: string, labels: MergeLabels = {}, markerSize = DEFAULT_MARKER_SIZE): MergeResult {
  assertMarkerSize(markerSize);
  const b = splitLines(base);
  const o = splitLines(ours);
  const t = splitLines(theirs);
  const s1 = diffLines(b, o);
  const s2 = diffLines(b, t);
  // As xdl_merge: when one side changed nothing, the other side is the result, byte for byte.
  if (s1.length === 0) return { text: theirs, conflicts: 0 };
  if (s2.length === 0) return { text: ours, conflicts: 0 };
  const regions = simplifyNonConflicts(refineConflicts(mergeScripts(s1, s2, o, t, b.length), o, t), o);

  const out: string[] = [];
  let i = 0;
  let conflicts = 0;
  for (const m of regions) {
    if (m.mode === 4) continue;
    copyLines(out, o, i, m.i1 - i, false, false);
    if (m.mode === 0) {
      conflicts++;
      const cr = crNeeded(b, o, t, m);
      out.push(marker('<', markerSize, labels.ours, cr));
      copyLines(out, o, m.i1, m.chg1, cr, true);
      out.push(marker('=', markerSize, undefined, cr));
      copyLines(out, t, m.i2, m.chg2, cr, true);
      out.push(marker('>', markerSize, labels.theirs, cr));
    } else if (m.mode === 1) {
      copyLines(out, o, m.i1, m.chg1, crNeeded(b, o, t, m), false);
    } else {
      copyLines(out, t, m.i2, m.chg2, false, false);
    }
    i = m.i1 + m.chg1;
  }
  copyLines(out, o, i, o.length - i, false, false);
  return { text: out.join(''), conflicts };
}

/** Bytes as a string of one char per byte: lossless for any encoding, and compared as git compares. */
function bytesToBinary(bytes: Uint8Array): string {
  let s = '';
  // apply() takes the typed array as it is; a spread would iterate it (over ten times slower).
  for (let k = 0; k < bytes.length; k += 0x2000) s += String.fromCharCode.apply(null, bytes.subarray(k, k + 0x2000) as unknown as number[]);
  return s;
}

function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) out[k] = s.charCodeAt(k);
  return out;
}

/** git's buffer_is_binary: a NUL in the first 8000 bytes. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

export interface MergeBytesResult {
  readonly merged: Uint8Array;
  readonly conflicts: number;
}

/** `mergeLines` on raw bytes (any encoding, CRLF or LF), labels as UTF-8, exactly as git merges files. */
export function mergeBytes(base: Uint8Array, ours: Uint8Array, theirs: Uint8Array, labels: MergeLabels = {}, markerSize = DEFAULT_MARKER_SIZE): MergeBytesResult {
  const label = (s: string | undefined): string | undefined => (s === undefined ? undefined : bytesToBinary(new TextEncoder().encode(s)));
  const r = mergeLines(bytesToBinary(base), bytesToBinary(ours), bytesToBinary(theirs), { ours: label(labels.ours), theirs: label(labels.theirs) }, markerSize);
  return { merged: binaryToBytes(r.text), conflicts: r.conflicts };
}
