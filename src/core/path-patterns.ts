// gitignore-style path patterns for `.custodian/config` guard.plaintextPaths (docs/CONFIG.md): the
// rules a teammate already knows from .gitignore, so a rule does what it looks like it does.
//   `*` and `?` stay inside one path segment, `[a-z]` is a class, `**` spans segments;
//   a pattern without a `/` (except a trailing one) matches the name in any folder;
//   a pattern with a `/` is anchored at the repository root (a leading `/` only anchors);
//   a trailing `/` matches folders only, and a folder that matches covers everything below it;
//   a leading `!` allows what an earlier pattern refused; the last matching pattern decides, and
//   what is inside a refused folder stays refused.
import { InvalidArgumentError } from './errors';

interface CompiledPattern {
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  readonly regex: RegExp;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** The body of a pattern (no `!`, no trailing `/`) as a regular expression over a whole path. */
function globToRegex(glob: string, anchored: boolean): string {
  let re = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
      if (atStart && atEnd) {
        if (i + 2 === glob.length) {
          re += '.*'; // `dir/**`: everything inside
          i += 2;
        } else {
          re += '(?:.*/)?'; // `**/` or `a/**/b`: zero or more folders
          i += 3;
        }
        continue;
      }
      re += '[^/]*'; // `a**b` is two ordinary stars (as in git)
      i += 2;
      continue;
    }
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) {
      re += escapeRegex(glob[++i]);
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/\//g, '')}]`;
        i = close;
      }
    } else re += escapeRegex(c);
    i++;
  }
  return anchored ? `^${re}$` : `^(?:.*/)?${re}$`;
}

/** Compiles one pattern; throws InvalidArgumentError for an empty one. */
function compile(pattern: string): CompiledPattern {
  let p = pattern.trim();
  const negated = p.startsWith('!');
  if (negated) p = p.slice(1);
  const directoryOnly = p.endsWith('/');
  if (directoryOnly) p = p.replace(/\/+$/, '');
  if (p === '') throw new InvalidArgumentError(`"pattern" ${JSON.stringify(pattern)} matches nothing`);
  const anchored = p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  return { negated, directoryOnly, regex: new RegExp(globToRegex(p, anchored)) };
}

/** A list of patterns, matched against repository-relative paths with `/` separators. */
export class PathPatterns {
  private readonly compiled: readonly CompiledPattern[];

  constructor(readonly patterns: readonly string[]) {
    this.compiled = patterns.map(compile);
  }

  /** The pattern that decides `path` (undefined when none matches or the last match is a `!`). */
  match(path: string): string | undefined {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('"path" expected a non-empty repository path');
    const segments = path.replace(/^\/+/, '').split('/');
    // As git: folders from the top down, each decided by its last matching pattern; once a folder is
    // refused, everything below it is (a `!` further down cannot re-allow it).
    for (let k = 1; k < segments.length; k++) {
      const folder = this.decide(segments.slice(0, k).join('/'), true);
      if (folder !== undefined) return folder;
    }
    const decided = this.decide(segments.join('/'), false);
    return decided;
  }

  private decide(path: string, isFolder: boolean): string | undefined {
    let decided: string | undefined;
    this.compiled.forEach((p, k) => {
      if ((isFolder || !p.directoryOnly) && p.regex.test(path)) decided = p.negated ? undefined : this.patterns[k];
    });
    return decided;
  }
}
