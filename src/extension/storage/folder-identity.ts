// Which folder a watch is on. A watch (`fs.watch`, inotify) follows the folder it was started on: once that
// folder is deleted it sees nothing, even when a folder of the same name is made again (a checkout). The
// inode number alone cannot tell the new folder from the old one: ext4 gives a folder deleted and made
// again at once the same number (seen five times in five). Its birth time can; where a file system has
// none, Node gives 0, and the identity is the inode number as before. Where `statx` is missing (WSL 1, old
// container profiles), libuv gives the change time instead, which moves when an entry is added: a
// mismatch must then cost a new watch and a listing, never a dropped event.
import type * as fs from 'node:fs';

export function folderIdentity(stat: fs.Stats): string {
  return `${stat.ino}:${stat.birthtimeMs}`;
}
