import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { waitUntil } from './engine.js';

/** How a spawned process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process started by a test as the leader of its own process group, with every line it printed. */
export interface TestProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Lines of standard output and standard error, in arrival order per stream. */
  readonly lines: string[];
  readonly exited: Promise<Exit>;
  /** Resolves with the first line that `matches`; rejects if the process exits or `timeoutMs` passes first. */
  waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** The processes still in its group (it, and every descendant that did not leave the group). */
  groupMembers(): number[];
  /** SIGKILLs whatever is left of the group. */
  killGroup(): void;
}

/** Starts `command` in the repository root as a process group leader, as a shell or process manager would. */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv): TestProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const listener of listeners) listener();
    });
  }
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const listener of listeners) listener();
  });
  const groupMembers = (): number[] => processesInGroup(pid);
  return {
    child,
    pid,
    lines,
    exited,
    groupMembers,
    killGroup: () => groupMembers().forEach((member) => killQuietly(member)),
    waitForLine(matches, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no matching line within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
        const finish = (outcome: string | Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (typeof outcome === 'string') resolve(outcome);
          else reject(outcome);
        };
        const check = (): void => {
          const line = lines.find(matches);
          if (line !== undefined) finish(line);
          else if (ended) finish(new Error(`${command} ${args.join(' ')} exited without a matching line:\n${lines.join('\n')}`));
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Waits until no process of `proc`'s group is left; returns the survivors after `timeoutMs`. */
export async function survivors(proc: TestProcess, timeoutMs: number): Promise<string[]> {
  await waitUntil(() => proc.groupMembers().length === 0, timeoutMs);
  return proc.groupMembers().map((member) => commandLine(member));
}

/** The JSON log lines among `lines`, parsed. */
export function jsonLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

function processesInGroup(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

function commandLine(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
