// Types of l10n-scan.js for test/scripts/l10n.test.ts.
export interface LanguageReport {
  missing: { message: string; at: string }[];
  stale: string[];
  badPlaceholders: string[];
  nlsMissing: string[];
  nlsStale: string[];
}
export interface L10nReport {
  problems: string[];
  untranslated: string[];
  messages: number;
  manifestKeys: number;
  nlsUndefined: string[];
  languages: Record<string, LanguageReport>;
}
export const ROOT: string;
export const LANGUAGES: string[];
export function scanSources(dir?: string): { messages: Map<string, string>; problems: string[] };
export function manifestKeys(manifestPath?: string): Set<string>;
export function placeholders(message: string): string;
export function untranslatedLiterals(dir?: string): string[];
export function report(root?: string): L10nReport;
