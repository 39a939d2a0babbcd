// Whether a text holds git's conflict markers: asked of every env file `custodian run` reads, so it lives
// apart from the merge code (a run must not load it).

/** git's conflict start marker: a line of seven or more `<`, then a space or the line's end. */
export const CONFLICT_START = /^<{7,}(?: |\r?\n|$)/m;

/** True when the text has conflict markers (a line starting with seven or more `<`). Cheap, no parsing. */
export function hasConflictMarkers(text: string): boolean {
  return CONFLICT_START.test(text);
}
