// Roster names are file names anyone with commit access chooses, and they are shown as "who": in the
// Team view, in "signed by alice ✓", in CLI messages. So they are checked on every read, not only when
// Custodian writes them (docs/ROSTER.md §2): a small ASCII set (no spaces, brackets or control
// characters, so "Alice (you)" or a bidi trick cannot be a name), and no two members whose names look
// alike once case, separators and the usual lookalike glyphs are folded ("a1ice" beside "alice").

/** docs/ROSTER.md §2: 1–64 of these, starting with a letter or digit. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

// Lookalikes within the allowed set. Multi-letter ones first: "rn" reads as "m", "vv" as "w".
const FOLDS: readonly (readonly [RegExp, string])[] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
  [/[0]/g, 'o'],
  [/[1il|]/g, 'l'],
  [/[5]/g, 's'],
  [/[2]/g, 'z'],
  [/[8]/g, 'b'],
  [/[6]/g, 'g'],
  [/[._@+-]/g, ''],
];

/** Why `name` cannot be a roster name, or undefined when it can. */
export function rosterNameProblem(name: string): string | undefined {
  if (typeof name !== 'string') throw new TypeError(`"name" expected a string, got ${typeof name}`);
  if (NAME_PATTERN.test(name)) return undefined;
  return 'A roster name is 1–64 ASCII letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit (no spaces, brackets or control characters).';
}

/** The form two names are compared in: case, separators and lookalike glyphs folded. */
export function nameSkeleton(name: string): string {
  let s = name.toLowerCase();
  for (const [from, to] of FOLDS) s = s.replace(from, to);
  return s;
}

/**
 * Groups of names (two or more) that look alike. Input order is kept inside each group, so a caller
 * can tell the established member from the newcomer.
 */
export function confusableGroups(names: readonly string[]): string[][] {
  const bySkeleton = new Map<string, string[]>();
  for (const n of names) {
    const key = nameSkeleton(n);
    const group = bySkeleton.get(key);
    if (group) group.push(n);
    else bySkeleton.set(key, [n]);
  }
  return [...bySkeleton.values()].filter((g) => g.length > 1);
}
