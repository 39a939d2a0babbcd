// A line diff that makes the same choices as git's xdiff (Myers with xdiff's pre-pass and
// heuristics, then its "compaction" of change groups), so a merge built on it agrees with
// `git merge-file` byte for byte. Where two diffs are equally short, which lines count as changed
// decides whether two edits touch, so "a correct Myers" is not enough: the order of the steps
// below and their constants are git's (xdiff/xdiffi.c, xdiff/xprepare.c).

/** A line with its terminator (`\n`, or nothing on a last line without one): "a" and "a\n" differ. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** One hunk: lines [i1, i1+chg1) of the old file became lines [i2, i2+chg2) of the new one. */
export interface LineChange {
  readonly i1: number;
  readonly chg1: number;
  readonly i2: number;
  readonly chg2: number;
}

// xdiff's constants (xdiff/xdiffi.c, xdiff/xprepare.c).
const MAX_COST_MIN = 256;
const HEUR_MIN_COST = 256;
const SNAKE_CNT = 20;
const K_HEUR = 4;
const MAX_EQLIMIT = 1024;
const SIMSCAN_WINDOW = 100;
const KPDIS_RUN = 4;
const LINE_MAX = Number.MAX_SAFE_INTEGER;

/** xdiff's integer square root approximation. */
function bogosqrt(n: number): number {
  let i = 1;
  for (; n > 0; n = Math.floor(n / 4)) i *= 2;
  return i;
}

/**
 * One side of a diff: line ids (equal lines share an id) and the changed marks, with a zero sentinel
 * before the first and after the last line (`changed[k + 1]` is line k).
 */
interface Side {
  readonly ids: Int32Array;
  readonly changed: Uint8Array;
  readonly n: number;
  dstart: number;
  dend: number;
  /** Lines left for Myers after the pre-pass: their indexes and ids. */
  rindex: Int32Array;
  rids: Int32Array;
  nreff: number;
}

function makeSide(ids: Int32Array): Side {
  return { ids, changed: new Uint8Array(ids.length + 2), n: ids.length, dstart: 0, dend: -1, rindex: new Int32Array(0), rids: new Int32Array(0), nreff: 0 };
}

function isChanged(s: Side, k: number): boolean {
  return s.changed[k + 1] !== 0;
}

function setChanged(s: Side, k: number, v: number): void {
  s.changed[k + 1] = v;
}

/** xdl_trim_ends: the common prefix and suffix take no part in the search. */
function trimEnds(a: Side, b: Side): void {
  const lim = Math.min(a.n, b.n);
  let i = 0;
  while (i < lim && a.ids[i] === b.ids[i]) i++;
  a.dstart = b.dstart = i;
  const lim2 = lim - i;
  let j = 0;
  while (j < lim2 && a.ids[a.n - 1 - j] === b.ids[b.n - 1 - j]) j++;
  a.dend = a.n - j - 1;
  b.dend = b.n - j - 1;
}

/** xdl_clean_mmatch: whether a line with many matches sits in a run of lines that will not match. */
function cleanMmatch(dis: Uint8Array, i: number, s: number, e: number): boolean {
  if (i - s > SIMSCAN_WINDOW) s = i - SIMSCAN_WINDOW;
  if (e - i > SIMSCAN_WINDOW) e = i + SIMSCAN_WINDOW;
  let rdis0 = 0;
  let rpdis0 = 1;
  for (let r = 1; i - r >= s; r++) {
    if (!dis[i - r]) rdis0++;
    else if (dis[i - r] === 2) rpdis0++;
    else break;
  }
  if (rdis0 === 0) return false;
  let rdis1 = 0;
  let rpdis1 = 1;
  for (let r = 1; i + r <= e; r++) {
    if (!dis[i + r]) rdis1++;
    else if (dis[i + r] === 2) rpdis1++;
    else break;
  }
  if (rdis1 === 0) return false;
  rdis1 += rdis0;
  rpdis1 += rpdis0;
  return rpdis1 * KPDIS_RUN < rpdis1 + rdis1;
}

/** xdl_cleanup_records: lines with no match on the other side are changed without searching. */
function cleanupRecords(a: Side, b: Side, countInA: Int32Array, countInB: Int32Array): void {
  const disA = new Uint8Array(a.n + 1);
  const disB = new Uint8Array(b.n + 1);
  const mark = (s: Side, dis: Uint8Array, otherCount: Int32Array): void => {
    const mlim = Math.min(bogosqrt(s.n), MAX_EQLIMIT);
    for (let i = s.dstart; i <= s.dend; i++) {
      const nm = otherCount[s.ids[i]];
      dis[i] = nm === 0 ? 0 : nm >= mlim ? 2 : 1;
    }
  };
  mark(a, disA, countInB);
  mark(b, disB, countInA);
  const keep = (s: Side, dis: Uint8Array): void => {
    const size = Math.max(0, s.dend - s.dstart + 1);
    s.rindex = new Int32Array(size);
    s.rids = new Int32Array(size);
    let nreff = 0;
    for (let i = s.dstart; i <= s.dend; i++) {
      if (dis[i] === 1 || (dis[i] === 2 && !cleanMmatch(dis, i, s.dstart, s.dend))) {
        s.rindex[nreff] = i;
        s.rids[nreff] = s.ids[i];
        nreff++;
      } else {
        setChanged(s, i, 1);
      }
    }
    s.nreff = nreff;
  };
  keep(a, disA);
  keep(b, disB);
}

interface Split {
  i1: number;
  i2: number;
  minLo: boolean;
  minHi: boolean;
}

/** The search's state: the forward and backward furthest-reaching arrays, indexed by diagonal. */
class Myers {
  private readonly kvdf: Float64Array;
  private readonly kvdb: Float64Array;
  private readonly offset: number;
  private readonly mxcost: number;

  constructor(
    private readonly a: Side,
    private readonly b: Side,
  ) {
    const ndiags = a.nreff + b.nreff + 3;
    this.kvdf = new Float64Array(ndiags);
    this.kvdb = new Float64Array(ndiags);
    this.offset = b.nreff + 1;
    this.mxcost = Math.max(bogosqrt(ndiags), MAX_COST_MIN);
  }

  /** xdl_split: the middle snake, or a good-enough split point once the cost grows too large. */
  private split(off1: number, lim1: number, off2: number, lim2: number, needMin: boolean): Split {
    const ha1 = this.a.rids;
    const ha2 = this.b.rids;
    const o = this.offset;
    const kvdf = this.kvdf;
    const kvdb = this.kvdb;
    const dmin = off1 - lim2;
    const dmax = lim1 - off2;
    const fmid = off1 - off2;
    const bmid = lim1 - lim2;
    const odd = ((fmid - bmid) & 1) !== 0;
    let fmin = fmid;
    let fmax = fmid;
    let bmin = bmid;
    let bmax = bmid;
    kvdf[fmid + o] = off1;
    kvdb[bmid + o] = lim1;
    for (let ec = 1; ; ec++) {
      let gotSnake = false;
      if (fmin > dmin) kvdf[--fmin - 1 + o] = -1;
      else ++fmin;
      if (fmax < dmax) kvdf[++fmax + 1 + o] = -1;
      else --fmax;
      for (let d = fmax; d >= fmin; d -= 2) {
        let i1 = kvdf[d - 1 + o] >= kvdf[d + 1 + o] ? kvdf[d - 1 + o] + 1 : kvdf[d + 1 + o];
        const prev1 = i1;
        let i2 = i1 - d;
        while (i1 < lim1 && i2 < lim2 && ha1[i1] === ha2[i2]) {
          i1++;
          i2++;
        }
        if (i1 - prev1 > SNAKE_CNT) gotSnake = true;
        kvdf[d + o] = i1;
        if (odd && bmin <= d && d <= bmax && kvdb[d + o] <= i1) return { i1, i2, minLo: true, minHi: true };
      }
      if (bmin > dmin) kvdb[--bmin - 1 + o] = LINE_MAX;
      else ++bmin;
      if (bmax < dmax) kvdb[++bmax + 1 + o] = LINE_MAX;
      else --bmax;
      for (let d = bmax; d >= bmin; d -= 2) {
        let i1 = kvdb[d - 1 + o] < kvdb[d + 1 + o] ? kvdb[d - 1 + o] : kvdb[d + 1 + o] - 1;
        const prev1 = i1;
        let i2 = i1 - d;
        while (i1 > off1 && i2 > off2 && ha1[i1 - 1] === ha2[i2 - 1]) {
          i1--;
          i2--;
        }
        if (prev1 - i1 > SNAKE_CNT) gotSnake = true;
        kvdb[d + o] = i1;
        if (!odd && fmin <= d && d <= fmax && i1 <= kvdf[d + o]) return { i1, i2, minLo: true, minHi: true };
      }
      if (needMin) continue;
      if (gotSnake && ec > HEUR_MIN_COST) {
        let best = 0;
        const spl: Split = { i1: 0, i2: 0, minLo: true, minHi: false };
        for (let d = fmax; d >= fmin; d -= 2) {
          const dd = d > fmid ? d - fmid : fmid - d;
          const i1 = kvdf[d + o];
          const i2 = i1 - d;
          const v = i1 - off1 + (i2 - off2) - dd;
          if (v > K_HEUR * ec && v > best && off1 + SNAKE_CNT <= i1 && i1 < lim1 && off2 + SNAKE_CNT <= i2 && i2 < lim2) {
            for (let k = 1; ha1[i1 - k] === ha2[i2 - k]; k++) {
              if (k === SNAKE_CNT) {
                best = v;
                spl.i1 = i1;
                spl.i2 = i2;
                break;
              }
            }
          }
        }
        if (best > 0) return spl;
        best = 0;
        const spl2: Split = { i1: 0, i2: 0, minLo: false, minHi: true };
        for (let d = bmax; d >= bmin; d -= 2) {
          const dd = d > bmid ? d - bmid : bmid - d;
          const i1 = kvdb[d + o];
          const i2 = i1 - d;
          const v = lim1 - i1 + (lim2 - i2) - dd;
          if (v > K_HEUR * ec && v > best && off1 < i1 && i1 <= lim1 - SNAKE_CNT && off2 < i2 && i2 <= lim2 - SNAKE_CNT) {
            for (let k = 0; ha1[i1 + k] === ha2[i2 + k]; k++) {
              if (k === SNAKE_CNT - 1) {
                best = v;
                spl2.i1 = i1;
                spl2.i2 = i2;
                break;
              }
            }
          }
        }
        if (best > 0) return spl2;
      }
      if (ec >= this.mxcost) {
        let fbest = -1;
        let fbest1 = -1;
        for (let d = fmax; d >= fmin; d -= 2) {
          let i1 = Math.min(kvdf[d + o], lim1);
          let i2 = i1 - d;
          if (lim2 < i2) {
            i1 = lim2 + d;
            i2 = lim2;
          }
          if (fbest < i1 + i2) {
            fbest = i1 + i2;
            fbest1 = i1;
          }
        }
        let bbest = LINE_MAX;
        let bbest1 = LINE_MAX;
        for (let d = bmax; d >= bmin; d -= 2) {
          let i1 = Math.max(off1, kvdb[d + o]);
          let i2 = i1 - d;
          if (i2 < off2) {
            i1 = off2 + d;
            i2 = off2;
          }
          if (i1 + i2 < bbest) {
            bbest = i1 + i2;
            bbest1 = i1;
          }
        }
        if (lim1 + lim2 - bbest < fbest - (off1 + off2)) return { i1: fbest1, i2: fbest - fbest1, minLo: true, minHi: false };
        return { i1: bbest1, i2: bbest - bbest1, minLo: false, minHi: true };
      }
    }
  }

  /** xdl_recs_cmp: divide and conquer over the reduced lines, marking changed lines. */
  compare(off1: number, lim1: number, off2: number, lim2: number, needMin: boolean): void {
    const ha1 = this.a.rids;
    const ha2 = this.b.rids;
    // An explicit stack instead of recursion: a large file must not overflow the call stack.
    const stack: [number, number, number, number, boolean][] = [[off1, lim1, off2, lim2, needMin]];
    while (stack.length > 0) {
      const top = stack.pop()!;
      let [o1, l1, o2, l2] = top;
      const min = top[4];
      while (o1 < l1 && o2 < l2 && ha1[o1] === ha2[o2]) {
        o1++;
        o2++;
      }
      while (o1 < l1 && o2 < l2 && ha1[l1 - 1] === ha2[l2 - 1]) {
        l1--;
        l2--;
      }
      if (o1 === l1) {
        for (; o2 < l2; o2++) setChanged(this.b, this.b.rindex[o2], 1);
      } else if (o2 === l2) {
        for (; o1 < l1; o1++) setChanged(this.a, this.a.rindex[o1], 1);
      } else {
        const spl = this.split(o1, l1, o2, l2, min);
        // Same result as recursing low half first: the halves mark disjoint lines.
        stack.push([spl.i1, l1, spl.i2, l2, spl.minHi]);
        stack.push([o1, spl.i1, o2, spl.i2, spl.minLo]);
      }
    }
  }
}

interface Group {
  start: number;
  end: number;
}

function groupInit(s: Side): Group {
  const g = { start: 0, end: 0 };
  while (isChanged(s, g.end)) g.end++;
  return g;
}

function groupNext(s: Side, g: Group): boolean {
  if (g.end === s.n) return false;
  g.start = g.end + 1;
  for (g.end = g.start; isChanged(s, g.end); g.end++);
  return true;
}

function groupPrevious(s: Side, g: Group): boolean {
  if (g.start === 0) return false;
  g.end = g.start - 1;
  for (g.start = g.end; isChanged(s, g.start - 1); g.start--);
  return true;
}

function groupSlideDown(s: Side, g: Group): boolean {
  if (g.end < s.n && s.ids[g.start] === s.ids[g.end]) {
    setChanged(s, g.start++, 0);
    setChanged(s, g.end++, 1);
    while (isChanged(s, g.end)) g.end++;
    return true;
  }
  return false;
}

function groupSlideUp(s: Side, g: Group): boolean {
  if (g.start > 0 && s.ids[g.start - 1] === s.ids[g.end - 1]) {
    setChanged(s, --g.start, 1);
    setChanged(s, --g.end, 0);
    while (isChanged(s, g.start - 1)) g.start--;
    return true;
  }
  return false;
}

/** xdl_change_compact without the indent heuristic (git merge-file does not enable it). */
function changeCompact(s: Side, o: Side): void {
  const g = groupInit(s);
  const go = groupInit(o);
  for (;;) {
    if (g.end !== g.start) {
      let groupSize: number;
      let earliestEnd: number;
      let endMatchingOther: number;
      do {
        groupSize = g.end - g.start;
        endMatchingOther = -1;
        while (groupSlideUp(s, g)) groupPrevious(o, go);
        earliestEnd = g.end;
        if (go.end > go.start) endMatchingOther = g.end;
        while (groupSlideDown(s, g)) {
          groupNext(o, go);
          if (go.end > go.start) endMatchingOther = g.end;
        }
      } while (groupSize !== g.end - g.start);
      if (g.end !== earliestEnd && endMatchingOther !== -1) {
        while (go.end === go.start) {
          groupSlideUp(s, g);
          groupPrevious(o, go);
        }
      }
    }
    if (!groupNext(s, g)) break;
    groupNext(o, go);
  }
}

/** xdl_build_script: the changed marks as hunks, in order. */
function buildScript(a: Side, b: Side): LineChange[] {
  const out: LineChange[] = [];
  for (let i1 = a.n, i2 = b.n; i1 >= 0 || i2 >= 0; i1--, i2--) {
    if (isChanged(a, i1 - 1) || isChanged(b, i2 - 1)) {
      const l1 = i1;
      const l2 = i2;
      while (isChanged(a, i1 - 1)) i1--;
      while (isChanged(b, i2 - 1)) i2--;
      out.push({ i1, chg1: l1 - i1, i2, chg2: l2 - i2 });
    }
  }
  return out.reverse();
}

/** Gives equal lines equal ids and counts each id's occurrences in either file. */
function classify(oldLines: readonly string[], newLines: readonly string[]): { a: Int32Array; b: Int32Array; countA: Int32Array; countB: Int32Array } {
  const idOf = new Map<string, number>();
  const counts: [number, number][] = [];
  const toIds = (lines: readonly string[], side: 0 | 1): Int32Array => {
    const ids = new Int32Array(lines.length);
    for (let k = 0; k < lines.length; k++) {
      let id = idOf.get(lines[k]);
      if (id === undefined) {
        id = counts.length;
        idOf.set(lines[k], id);
        counts.push([0, 0]);
      }
      counts[id][side]++;
      ids[k] = id;
    }
    return ids;
  };
  const a = toIds(oldLines, 0);
  const b = toIds(newLines, 1);
  return { a, b, countA: Int32Array.from(counts, (c) => c[0]), countB: Int32Array.from(counts, (c) => c[1]) };
}

/** The hunks turning `oldLines` into `newLines`, chosen as `git merge-file` chooses them. */
export function diffLines(oldLines: readonly string[], newLines: readonly string[]): LineChange[] {
  const { a: idsA, b: idsB, countA, countB } = classify(oldLines, newLines);
  const a = makeSide(idsA);
  const b = makeSide(idsB);
  trimEnds(a, b);
  cleanupRecords(a, b, countA, countB);
  new Myers(a, b).compare(0, a.nreff, 0, b.nreff, false);
  changeCompact(a, b);
  changeCompact(b, a);
  return buildScript(a, b);
}
