// A value-encrypted file left in conflict by the git merge driver (docs/VALUES.md §12): two complete
// value-encrypted files, ours and theirs, sealed under one data key, interleaved by git's conflict
// markers where their lines differ. Each side is an ordinary file (MAC, signature, every token), so
// nothing here trusts the interleaving: it only splits it, and the sides are opened as usual.
import { hasConflictMarkers } from './conflict-markers';
import { FormatError } from './errors';
import { DEFAULT_MARKER_SIZE, mergeLines } from './line-merge';
import { splitLines } from './line-diff';
import { isValueEncrypted, openValues, type OpenedValues, type OpenValuesOptions, type ValuesFormatName } from './values';

/** The labels the driver writes after `<<<<<<<` and `>>>>>>>` (as the `.enc` driver does). */
export const CONFLICT_LABELS = { ours: 'ours', theirs: 'theirs' } as const;

export interface ConflictSides {
  /** Ours: every line outside the markers and the first section of each conflict. */
  readonly ours: string;
  /** Theirs: every line outside the markers and the last section of each conflict. */
  readonly theirs: string;
  /** The length of the markers (git's `%L`, 7 by default). */
  readonly markerSize: number;
  readonly conflicts: number;
}

function isMarker(line: string, char: string, size: number, labelled: boolean): boolean {
  if (line.length < size || line.slice(0, size) !== char.repeat(size)) return false;
  const rest = line.slice(size).replace(/\r?\n$/, '');
  return rest === '' || (labelled && rest.startsWith(' '));
}

/**
 * Splits a text with git conflict markers into its two sides; undefined when it has none. A marker
 * that is not closed, or a `=======` outside a conflict, is a FormatError: the text is not what the
 * driver wrote, and guessing would pick a side for the user.
 */
export function splitConflict(text: string): ConflictSides | undefined {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const lines = splitLines(text);
  const first = lines.find((l) => /^<{7,}(?: |\r?\n|$)/.test(l));
  if (first === undefined) return undefined;
  const size = /^<+/.exec(first)![0].length;
  const ours: string[] = [];
  const theirs: string[] = [];
  let state: 'outside' | 'ours' | 'base' | 'theirs' = 'outside';
  let conflicts = 0;
  for (const line of lines) {
    if (state === 'outside') {
      if (isMarker(line, '<', size, true)) {
        state = 'ours';
        conflicts++;
      } else if (isMarker(line, '=', size, false) || isMarker(line, '>', size, true)) {
        throw new FormatError('the conflict markers are out of order: a ======= or >>>>>>> line outside a conflict');
      } else {
        ours.push(line);
        theirs.push(line);
      }
    } else if (state === 'ours' || state === 'base') {
      if (isMarker(line, '=', size, false)) state = 'theirs';
      else if (isMarker(line, '|', size, true)) state = 'base';
      else if (state === 'ours') ours.push(line);
    } else if (isMarker(line, '>', size, true)) {
      state = 'outside';
    } else {
      theirs.push(line);
    }
  }
  if (state !== 'outside') throw new FormatError('a conflict is not closed: a <<<<<<< line has no matching >>>>>>> line');
  return { ours: ours.join(''), theirs: theirs.join(''), markerSize: size, conflicts };
}

/**
 * Interleaves two texts with conflict markers wherever their lines differ: git's merge of the two with
 * an empty base, so the lines they share appear once and `splitConflict` gives both back exactly.
 * Returns undefined when that does not round-trip (a side's last line without a line break inside a
 * conflict would gain one).
 */
export function joinConflict(ours: string, theirs: string, markerSize = DEFAULT_MARKER_SIZE): string | undefined {
  const joined = mergeLines('', ours, theirs, CONFLICT_LABELS, markerSize).text;
  const back = splitConflict(joined);
  return back && back.ours === ours && back.theirs === theirs ? joined : undefined;
}

/** True for a value-encrypted file left in conflict by the merge driver: markers, and ours is value-encrypted. */
export function isConflictedValues(text: string, format: ValuesFormatName): boolean {
  if (!hasConflictMarkers(text)) return false;
  try {
    const sides = splitConflict(text);
    return sides !== undefined && isValueEncrypted(sides.ours, format);
  } catch {
    return false;
  }
}

export interface OpenedConflict {
  /** The decrypted view: the plaintexts of both sides, with conflict markers where they differ. */
  readonly document: string;
  readonly conflicts: number;
  /** Our side, opened: a save re-seals the resolved document with its data key and tokens. */
  readonly ours: OpenedValues;
  readonly theirs: OpenedValues;
}

/**
 * Opens a conflicted value-encrypted file: each side in full (§9), then shows the two plaintexts with
 * markers. The caller disposes both sides.
 */
export async function openConflictedValues(text: string, opts: OpenValuesOptions): Promise<OpenedConflict> {
  const sides = splitConflict(text);
  if (!sides) throw new FormatError('the file has no conflict markers');
  const ours = await openValues(sides.ours, opts);
  let theirs: OpenedValues;
  try {
    theirs = await openValues(sides.theirs, opts);
  } catch (err) {
    ours.dispose();
    throw err;
  }
  const view = mergeLines('', ours.document, theirs.document, CONFLICT_LABELS, sides.markerSize);
  return { document: view.text, conflicts: view.conflicts, ours, theirs };
}
