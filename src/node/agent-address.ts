// Where an agent listens. On Unix, a socket in a directory only its user can enter: the directory
// (0700, owned by the user, not a symlink) is what keeps other users out, whatever the socket's own
// mode was between bind() and chmod(). On Windows, a named pipe (created by libuv with the default
// security descriptor: the creating user, SYSTEM and Administrators).
import { lstatSync, readdirSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentError } from '../core/errors';

/** The variable that tells a process where its VS Code window's agent is. */
export const AGENT_SOCK_ENV = 'CUSTODIAN_AGENT_SOCK';

const PRIVATE_DIR_MODE = 0o700;
export const SOCKET_MODE = 0o600;

/** `$XDG_RUNTIME_DIR/custodian` (a per-user tmpfs on systemd systems), else `<tmpdir>/custodian-<uid>`. */
export function agentDirectory(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) return path.join(runtime, 'custodian');
  return path.join(os.tmpdir(), `custodian-${uid}`);
}

/** One address per window (extension host process): windows never answer each other's terminals. */
export function agentAddress(dir: string, pid: number = process.pid, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\custodian-agent-${os.userInfo().username}-${pid}`;
  return path.join(dir, `agent-${pid}.sock`);
}

/**
 * The agent to reach for `address` (what $CUSTODIAN_AGENT_SOCK says). A window that reloads (a browser
 * tab of code-server, Developer: Reload Window) starts a new extension host, with a new socket, while the
 * terminals it keeps still name the old one: when that socket is gone and exactly one other agent is
 * alive in the same private directory of this user, that one is meant, and `instead` says which was
 * named. With none or several alive, `address` stands (its error says what to do).
 */
export function liveAgentAddress(address: string, isAlive: (pid: number) => boolean = processExists, uid: number | undefined = process.getuid?.()): { address: string; instead?: string } {
  if (process.platform === 'win32') return { address };
  const exists = (p: string): boolean => {
    try {
      statSync(p);
      return true;
    } catch {
      return false;
    }
  };
  if (exists(address)) return { address };
  const dir = path.dirname(address);
  try {
    // Only a directory like the agents' own: this user's, closed to everyone else.
    const st = lstatSync(dir);
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return { address };
    const live = readdirSync(dir)
      .map((name) => /^agent-(\d+)\.sock$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null && isAlive(Number(m[1])))
      .map((m) => path.join(dir, m[0]));
    return live.length === 1 ? { address: live[0], instead: address } : { address };
  } catch {
    return { address };
  }
}

/**
 * Creates `dir` (0700) or checks an existing one: a directory, not a symlink, owned by this user,
 * and closed to group and others (tightened if it is ours but looser). Anything else is refused:
 * another user could have made it to watch or replace our socket.
 */
export async function preparePrivateDirectory(dir: string, uid: number | undefined = process.getuid?.()): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) throw new AgentError(`the agent directory ${dir} is not a directory (a symlink or a file is in its place)`, { hint: `remove ${dir} and reload the window` });
  if (uid !== undefined && st.uid !== uid) throw new AgentError(`the agent directory ${dir} belongs to another user (uid ${st.uid})`, { hint: `remove ${dir} and reload the window` });
  if ((st.mode & 0o077) !== 0) await fs.chmod(dir, PRIVATE_DIR_MODE);
}

/** Sockets of agents whose process is gone (a window that crashed): removed so they do not pile up. */
export async function removeDeadAgents(dir: string, isAlive: (pid: number) => boolean = processExists): Promise<void> {
  const names = await fs.readdir(dir).catch((): string[] => []);
  for (const name of names) {
    const m = /^agent-(\d+)\.sock$/.exec(name);
    if (m && !isAlive(Number(m[1]))) await removeStaleSocket(path.join(dir, name)).catch(() => undefined);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a socket file left by a process that died with this pid; refuses to remove anything else. */
export async function removeStaleSocket(address: string): Promise<void> {
  const st = await fs.lstat(address).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) throw new AgentError(`${address} exists and is not a socket`, { hint: `remove it and reload the window` });
  await fs.unlink(address);
}
