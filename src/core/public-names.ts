// Names that say their value is public (docs/VALUES.md §5): the `*_PUBLIC` suffix, and the prefixes with
// which web frameworks build a variable into the code they send to every visitor's browser. A writer
// offers to leave such values readable; the rule it writes covers only the conventions the file uses,
// so a name that merely looks alike elsewhere in the file is still encrypted.
import type { SelectionRule } from './values-metadata';

export interface PublicConvention {
  /** How a user reads it: `NEXT_PUBLIC_*`. */
  readonly label: string;
  /** Its test on one path segment, as §5's `unencrypted-regex` writes it. */
  readonly pattern: string;
  /** The frameworks that send such values to the browser; none for the suffix, a naming habit. */
  readonly frameworks?: readonly string[];
}

export const PUBLIC_CONVENTIONS: readonly PublicConvention[] = [
  { label: '*_PUBLIC', pattern: '_PUBLIC$' },
  { label: 'NEXT_PUBLIC_*', pattern: '^NEXT_PUBLIC_', frameworks: ['Next.js'] },
  { label: 'NUXT_PUBLIC_*', pattern: '^NUXT_PUBLIC_', frameworks: ['Nuxt'] }, // runtimeConfig.public
  { label: 'EXPO_PUBLIC_*', pattern: '^EXPO_PUBLIC_', frameworks: ['Expo'] },
  { label: 'VITE_*', pattern: '^VITE_', frameworks: ['Vite'] },
  { label: 'REACT_APP_*', pattern: '^REACT_APP_', frameworks: ['Create React App'] },
  { label: 'VUE_APP_*', pattern: '^VUE_APP_', frameworks: ['Vue CLI'] },
  { label: 'GATSBY_*', pattern: '^GATSBY_', frameworks: ['Gatsby'] },
];

const TESTS = PUBLIC_CONVENTIONS.map((c) => ({ convention: c, regex: new RegExp(c.pattern, 'u') }));

/** The convention a path segment follows, if any (the first in the table's order). */
export function publicConventionOf(segment: string): PublicConvention | undefined {
  return TESTS.find((t) => t.regex.test(segment))?.convention;
}

/**
 * The rule that leaves in the clear the values of these conventions: `unencrypted-suffix:_PUBLIC` for
 * that one alone (the form SOPS users know), else one regex naming each convention used.
 */
export function publicRule(conventions: readonly PublicConvention[]): SelectionRule {
  if (conventions.length === 0) return { kind: 'all' };
  if (conventions.length === 1 && conventions[0] === PUBLIC_CONVENTIONS[0]) return { kind: 'unencrypted-suffix', suffix: '_PUBLIC' };
  const ordered = PUBLIC_CONVENTIONS.filter((c) => conventions.includes(c));
  return { kind: 'unencrypted-regex', regex: ordered.map((c) => c.pattern).join('|') };
}
