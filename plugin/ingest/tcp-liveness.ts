/**
 * Checks whether a child process still has an established TCP connection,
 * from Linux procfs: the socket inodes in /proc/PID/fd are looked up in the
 * process's /proc/PID/net/tcp and tcp6 tables.
 */

import { promises as fs } from 'node:fs';

/** Value of the `st` column for TCP_ESTABLISHED in /proc/net/tcp. */
const TCP_ESTABLISHED = '01';

export type TcpLiveness = 'connected' | 'not-connected' | 'unknown';

/**
 * Returns 'connected' when process `pid` owns at least one ESTABLISHED TCP
 * socket, 'not-connected' when it owns none, and 'unknown' when procfs cannot
 * be read (not Linux, or the process has exited).
 */
export async function tcpLiveness(pid: number): Promise<TcpLiveness> {
  try {
    const inodes = await socketInodes(pid);
    if (inodes.size === 0) return 'not-connected';
    const established = await establishedInodes(pid);
    for (const inode of inodes) if (established.has(inode)) return 'connected';
    return 'not-connected';
  } catch {
    return 'unknown';
  }
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const dir = `/proc/${pid}/fd`;
  const inodes = new Set<string>();
  for (const fd of await fs.readdir(dir)) {
    const target = await fs.readlink(`${dir}/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]);
  }
  return inodes;
}

async function establishedInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await fs.readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      if (columns.length > 9 && columns[3] === TCP_ESTABLISHED) inodes.add(columns[9]);
    }
  }
  return inodes;
}
