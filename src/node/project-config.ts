// Reads `.custodian/config` for the Node hosts (CLI, git drivers, extension on desktop).
import * as path from 'node:path';
import { DEFAULT_PROJECT_CONFIG, MAX_PROJECT_CONFIG_BYTES, parseProjectConfig, PROJECT_CONFIG_PATH, ProjectConfigError, type ProjectConfig } from '../core/project-config';
import { readSmallFile } from './node-streams';

/** The repository's config, or the defaults when it has none. Malformed files throw ProjectConfigError. */
export async function readProjectConfig(repositoryRoot: string): Promise<ProjectConfig> {
  const file = path.join(repositoryRoot, PROJECT_CONFIG_PATH);
  let bytes: Uint8Array;
  try {
    bytes = await readSmallFile(file, MAX_PROJECT_CONFIG_BYTES, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_PROJECT_CONFIG;
    throw err;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ProjectConfigError(`${file} is not UTF-8 text`, { hint: 'the file holds JSON (docs/CONFIG.md)' });
  }
  return parseProjectConfig(text);
}
