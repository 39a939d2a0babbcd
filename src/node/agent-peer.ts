// Who is on the other end of an agent connection. Node has no SO_PEERCRED, so on Linux the agent asks
// the kernel through `ss -xpn` (sock_diag netlink: the peer's socket inode, and the process holding
// it), then reads that process's uid and command line from /proc. A process of another user is not
// even visible there to a non-root agent (its /proc/PID/fd cannot be read), so it comes back
// unidentified, and is refused like a wrong uid. Elsewhere the private directory (agent-address.ts)
// is the barrier and the peer is reported as unknown.
import { execFile } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type * as net from 'node:net';
import { shellQuote } from '../core/shell-quote';
import { preloadsOf } from './preloads';

export interface PeerInfo {
  readonly pid?: number;
  readonly uid?: number;
  /** The process's arguments, as the OS reports them (`/proc/PID/cmdline`). */
  readonly argv?: readonly string[];
  /** The program it runs (`/proc/PID/exe`), which its arguments may not name: `exec -a node perl cli.js`. */
  readonly exe?: string;
  /** The same as one line, each argument shell-quoted, shortened (e.g. `git diff`, `node dist/cli.js decrypt …`). */
  readonly commandLine?: string;
  /** The OS was asked and showed no process of ours behind the socket: another user's, or gone. */
  readonly hidden?: boolean;
  /** What its environment loads into it before its own code (`preloadsOf`): the prompt says so. */
  readonly preloads?: readonly string[];
  /** The git process it runs under (`gitCommandOf`), when it is one: a diff driver's `git log -p`. */
  readonly gitCommand?: GitCommand;
}

let runtime: string | undefined;

/**
 * Whether the process runs this very runtime (the one the extension's launcher starts the CLI with), not
 * only says so in its arguments: a red team ran perl as `exec -a /usr/bin/node perl …/dist/cli.js`, with
 * PERL5OPT loading its code, and the dialog named it "custodian decrypt …" like the real CLI.
 */
export function runsThisRuntime(peer: PeerInfo): boolean {
  runtime ??= realpathSync(process.execPath);
  return peer.exe !== undefined && peer.exe === runtime;
}

/** A git process: with its start time, its pid names that one process for as long as the system runs. */
export interface GitCommand {
  readonly pid: number;
  /** `/proc/PID/stat` field 22, clock ticks after boot: a pid used again by a later process differs here. */
  readonly started: string;
  readonly commandLine?: string;
}

/** From `/proc/PID/stat`, the parent's pid (field 4) and the start time (field 22); the name in field 2 may hold spaces and parentheses. */
export function statFields(stat: string): { ppid: number; started: string } | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const started = fields[19];
  return Number.isSafeInteger(ppid) && /^\d+$/.test(started ?? '') ? { ppid, started } : undefined;
}

/** Whether the git process `git` names still runs (the same pid with the same start time). */
export function isRunning(git: GitCommand): boolean {
  try {
    return statFields(readFileSync(`/proc/${git.pid}/stat`, 'utf8'))?.started === git.started;
  } catch {
    return false;
  }
}

/** How far up a driver's ancestry git may be: git, perhaps a shell, the launcher's shell, then node. */
const MAX_GIT_DEPTH = 4;

/** The `pipe:[INODE]` that is `pid`'s standard output, when it is a pipe. */
async function stdoutPipe(pid: number): Promise<string | undefined> {
  const link = await fs.readlink(`/proc/${pid}/fd/1`).catch(() => '');
  return /^pipe:\[\d+\]$/.test(link) ? link : undefined;
}

/** Whether `pid` holds `pipe` open for reading (`/proc/PID/fdinfo`: the access mode in `flags`, octal). */
export async function readsPipe(pid: number, pipe: string): Promise<boolean> {
  const fds = await fs.readdir(`/proc/${pid}/fd`).catch((): string[] => []);
  for (const fd of fds) {
    if ((await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== pipe) continue;
    const flags = /^flags:\s+([0-7]+)$/m.exec(await fs.readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => ''));
    if (flags && (parseInt(flags[1], 8) & 0o3) === 0) return true; // O_RDONLY
  }
  return false;
}

/**
 * The git process `pid` is a diff driver of: its nearest ancestor that is git (`argv[0]` named `git`),
 * within MAX_GIT_DEPTH, and that reads `pid`'s standard output through a pipe, as git reads what a
 * textconv driver prints. What lets one answer cover every textconv a `git log -p` runs (docs/AGENT.md);
 * the pipe leaves out other processes under that git, such as a pager (a repository's terminal settings
 * can choose it with GIT_PAGER) running Custodian's CLI to print some other file to itself.
 */
export async function gitCommandOf(pid: number): Promise<GitCommand | undefined> {
  let current = pid;
  for (let depth = 0; depth < MAX_GIT_DEPTH; depth++) {
    const stat = await fs.readFile(`/proc/${current}/stat`, 'utf8').catch(() => '');
    const parent = statFields(stat)?.ppid;
    if (parent === undefined || parent <= 1) return undefined;
    const [parentStat, cmdline] = await Promise.all([fs.readFile(`/proc/${parent}/stat`, 'utf8').catch(() => ''), fs.readFile(`/proc/${parent}/cmdline`).catch(() => Buffer.alloc(0))]);
    const fields = statFields(parentStat);
    if (fields === undefined) return undefined;
    const argv = argvOf(cmdline);
    if (argv.length > 0 && argv[0].split('/').pop() === 'git') {
      const pipe = await stdoutPipe(pid);
      return pipe !== undefined && (await readsPipe(parent, pipe)) ? { pid: parent, started: fields.started, commandLine: commandLineOf(argv) } : undefined;
    }
    current = parent;
  }
  return undefined;
}

/** Identifies the process behind an accepted connection; never throws (an unknown peer is `{}`). */
export type PeerInspector = (socket: net.Socket) => Promise<PeerInfo>;

/**
 * Whether the agent serves a peer: the same uid when the OS told it; never a hidden one; an unknown
 * one (no way to ask, e.g. no `ss` in a container) only because the private directory let it in.
 */
export function peerAllowed(peer: PeerInfo, ownUid: number | undefined): boolean {
  if (ownUid === undefined) return true;
  if (peer.uid !== undefined) return peer.uid === ownUid;
  return peer.hidden !== true;
}

const MAX_COMMAND_LINE = 300;

/** `/proc/PID/cmdline`: the arguments, each ended by a NUL (an empty argument is one too). */
export function argvOf(raw: Buffer): string[] {
  const args = raw.toString('utf8').split('\0');
  if (args[args.length - 1] === '') args.pop();
  return args;
}

/** Arguments as one line a person reads as they were typed: each shell-quoted, the whole shortened. */
export function commandLineOf(argv: readonly string[]): string | undefined {
  if (argv.length === 0) return undefined;
  const text = argv.map(shellQuote).join(' ');
  return text.length > MAX_COMMAND_LINE ? `${text.slice(0, MAX_COMMAND_LINE)}…` : text;
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 8 * 1024 * 1024, timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** The accepted socket's own inode: its descriptor's /proc link reads `socket:[INODE]`. */
async function socketInode(socket: net.Socket): Promise<number | undefined> {
  // libuv exposes the descriptor on the handle; there is no public API for it.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  const link = await fs.readlink(`/proc/self/fd/${fd}`).catch(() => '');
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/**
 * From `ss -xpnH` lines (`u_str ESTAB 0 0 * 1001 * 1002 users:(("node",pid=7,fd=3))`), the pid of the
 * process whose socket's peer is `inode`.
 */
export function pidOfPeer(ssOutput: string, inode: number): number | undefined {
  for (const line of ssOutput.split('\n')) {
    const m = /\s(\d+)\s+\S+\s+(\d+)\s+users:\(\("(?:[^"\\]|\\.)*",pid=(\d+),fd=\d+\)/.exec(line);
    if (m && Number(m[2]) === inode) return Number(m[3]);
  }
  return undefined;
}

/** The uid on the `Uid:` line of /proc/PID/status (its real uid). */
export function uidFromStatus(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

export const linuxPeerInspector: PeerInspector = async (socket) => {
  const inode = await socketInode(socket);
  if (inode === undefined) return {};
  let listing: string;
  try {
    listing = await run('ss', ['-xpnH']);
  } catch {
    return {}; // no ss (a minimal container): the peer stays unknown
  }
  const pid = pidOfPeer(listing, inode);
  if (pid === undefined) return { hidden: true };
  try {
    const [status, cmdline, environ, exe] = await Promise.all([
      fs.readFile(`/proc/${pid}/status`, 'utf8'),
      fs.readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0)),
      fs.readFile(`/proc/${pid}/environ`).catch(() => Buffer.alloc(0)),
      fs.readlink(`/proc/${pid}/exe`).catch(() => undefined),
    ]);
    const uid = uidFromStatus(status);
    if (uid === undefined) return { pid, hidden: true };
    const argv = argvOf(cmdline);
    const preloads = preloadsOf(environ);
    environ.fill(0); // the process's variables may hold secrets of its own
    const gitCommand = await gitCommandOf(pid);
    return { pid, uid, argv, commandLine: commandLineOf(argv), ...(exe !== undefined ? { exe } : {}), ...(preloads.length > 0 ? { preloads } : {}), ...(gitCommand ? { gitCommand } : {}) };
  } catch {
    return { pid, hidden: true };
  }
};

export const unknownPeerInspector: PeerInspector = () => Promise.resolve({});

export function platformPeerInspector(platform: NodeJS.Platform = process.platform): PeerInspector {
  return platform === 'linux' ? linuxPeerInspector : unknownPeerInspector;
}
