import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const ESTABLISHED = '01';

/**
 * The established TCP connections process `pid` holds, as `localPort>remotePort`, read from Linux's `/proc`
 * (the process's socket descriptors, looked up in its network namespace's TCP tables). Empty where `/proc`
 * cannot be read. Matched against `RedisProbe.clientConnections()`, this tells which Redis connections are
 * whose, whatever name (if any) the client gave them.
 */
export function processConnections(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return new Set();
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // Closed between listing and reading.
    }
  }
  const connections = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, remote, state] = fields;
      if (local === undefined || remote === undefined || state !== ESTABLISHED || !inodes.has(fields[9] ?? '')) continue;
      connections.add(`${portOf(local)}>${portOf(remote)}`);
    }
  }
  return connections;
}

// `/proc/net/tcp` writes an address as hex `ADDRESS:PORT`.
function portOf(address: string): number {
  return parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
}
