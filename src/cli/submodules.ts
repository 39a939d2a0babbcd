// What the guard and `git setup` say of submodules: a submodule is a repository of its own (its files in
// its own index, its commits running its own hooks), so neither this repository's guard nor its set-up
// reaches it. A red team committed a plaintext .env and a private key inside one: `guard --all` and
// `setup --check` in the outer clone passed in silence. They are named, with what checks them.
import { displayText } from '../core/display-text';

function named(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).map((p) => displayText(p)).join(', ');
  const more = paths.length > 5 ? `, … (${paths.length} in all)` : '';
  return `${paths.length === 1 ? 'submodule' : `${paths.length} submodules`} ${shown}${more}`;
}

/** The guard's warning for submodules it did not look into (`paths`: not empty). */
export function submodulesNotChecked(paths: readonly string[]): string {
  return `${named(paths)} not checked: a submodule is a repository of its own, its files are not in this one's index; check them with "git submodule foreach --recursive custodian guard --all" (checked out first: "git submodule update --init --recursive")`;
}

/** What `git setup` (and `--check`) says of the submodules it does not set up (`paths`: not empty). */
export function submodulesNotSetUp(paths: readonly string[], check: boolean): string {
  return `${named(paths)} not covered: hooks and drivers are per repository, so commits made inside a submodule are not guarded by this set-up; run "git submodule foreach --recursive custodian git setup${check ? ' --check' : ''}"`;
}
