// Variables that decide which code a program loads or which command a name runs, rather than what a
// program computes: NODE_OPTIONS=--require …, BASH_ENV, LD_PRELOAD, a PATH with a folder of the
// repository first. An encrypted env file hides its values from review, and anyone who can push can
// commit one (the team's public keys are in the roster), so such a variable is taken from an env file
// only when the person names it (`custodian run --allow-env NAME`; in VS Code, a configuration's own
// `env`). The model is sudo's list of variables it strips (env.c) and ld.so's secure-execution list.
// The list cannot be complete (any program may read any variable as a path to code); it covers the
// runtimes and shells a project's commands usually start, and their debuggers and pagers.
import type { EnvLayer } from './env-layers';

/** Names compared in upper case: Windows reads `Path` as `PATH`, and a shell may too. */
const LOADER_NAMES: ReadonlySet<string> = new Set([
  // How a name becomes a program, and how shells split and find.
  'PATH', 'IFS', 'CDPATH',
  // Shells: files sourced or commands run at start or at each prompt.
  'ENV', 'BASH_ENV', 'PROMPT_COMMAND', 'PS1', 'PS2', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'ZDOTDIR', 'FPATH',
  // Node.js.
  'NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE',
  // Python.
  'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONUSERBASE', 'PYTHONBREAKPOINT', 'PYTHONWARNINGS',
  // Perl, Ruby, PHP, Go.
  'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'PERL5DB', 'RUBYOPT', 'RUBYLIB', 'PHPRC', 'PHP_INI_SCAN_DIR', 'GOFLAGS',
  // The JVM and .NET.
  'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH', 'DOTNET_STARTUP_HOOKS',
  // Programs other programs start: editors, pagers, browsers, password prompts.
  'EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'LESSOPEN', 'LESSCLOSE', 'BROWSER', 'SSH_ASKPASS', 'SUDO_ASKPASS',
]);

/**
 * Families by prefix: the dynamic linkers (LD_PRELOAD, DYLD_INSERT_LIBRARIES), git (GIT_CONFIG_*,
 * GIT_SSH_COMMAND, GIT_EXEC_PATH, GIT_DIR: config, hooks and helpers it runs), npm's configuration
 * (npm_config_script_shell, npm_config_node_options), bash's exported functions, .NET profilers.
 */
const LOADER_PREFIXES: readonly string[] = ['LD_', 'DYLD_', 'GIT_', 'NPM_CONFIG_', 'BASH_FUNC_', 'CORECLR_', 'COR_'];

/** Whether `name` is a variable that decides which code a program loads or which command runs. */
export function isLoaderVariable(name: string): boolean {
  if (typeof name !== 'string') throw new TypeError(`"name" expected a string, got ${typeof name}`);
  const upper = name.toUpperCase();
  return LOADER_NAMES.has(upper) || LOADER_PREFIXES.some((p) => upper.startsWith(p));
}

/** Loader variables one env file gives the program, in file order. */
export interface LoaderVariables {
  /** The file (as the caller named it, for messages). */
  readonly source: string;
  readonly names: readonly string[];
}

/**
 * The loader variables the program would take from `layers`, by the file whose value it gets (the last
 * one to set the name). `passedOn(name)` says whether the program gets a file's value for `name` at
 * all: false where the environment keeps its own, the person allowed the name, or a configuration sets it.
 */
export function loaderVariablesPassedOn(layers: readonly EnvLayer[], passedOn: (name: string) => boolean): LoaderVariables[] {
  if (!Array.isArray(layers)) throw new TypeError(`"layers" expected an array, got ${typeof layers}`);
  const from = new Map<string, string>();
  for (const layer of layers) for (const { name } of layer.entries) if (isLoaderVariable(name)) from.set(name, layer.source);
  const bySource = new Map<string, string[]>();
  for (const [name, source] of from) {
    if (!passedOn(name)) continue;
    bySource.set(source, [...(bySource.get(source) ?? []), name]);
  }
  return [...bySource].map(([source, names]) => ({ source, names }));
}
