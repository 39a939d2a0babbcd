// Recipient lists compared as sets: who can read a file, not the order its header lists them in. Apart
// from fingerprint.ts so that comparing lists does not load a hash (the editor compares them on save).

/** The same fingerprints, in any order. */
export function sameFingerprints(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
