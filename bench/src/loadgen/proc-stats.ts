// What the kernel says a process has spent: CPU seconds (user and system apart, from
// /proc/<pid>/stat) and memory (from /proc/<pid>/smaps_rollup). Read from outside the
// process, so it works for any server (Node, nginx, redis-server) and costs the server nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface CpuTimes {
  readonly userSeconds: number;
  readonly systemSeconds: number;
}

let ticksPerSecond: number | undefined;

/** The kernel's USER_HZ (the unit of /proc CPU times), asked once. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (!Number.isInteger(answer) || answer <= 0) throw new Error(`getconf CLK_TCK answered '${answer}'`);
    ticksPerSecond = answer;
  }
  return ticksPerSecond;
}

/** CPU time `pid` has used so far (its own threads, not its children). */
export function readCpu(pid: number): CpuTimes {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = clockTicks();
  // Fields 14 (utime) and 15 (stime) of proc(5), i.e. 11 and 12 after the name.
  return { userSeconds: Number(fields[11]) / ticks, systemSeconds: Number(fields[12]) / ticks };
}

/** Proportional set size of `pid` in bytes: its private memory plus its share of shared pages. */
export function readPssBytes(pid: number): number {
  return rollupBytes(pid, ['Pss']);
}

/** The sum of `fields` (lines given in kB) of /proc/<pid>/smaps_rollup, in bytes. */
function rollupBytes(pid: number, fields: readonly string[]): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  let kb = 0;
  for (const field of fields) {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(rollup);
    if (match === null) throw new Error(`/proc/${pid}/smaps_rollup has no ${field} line`);
    kb += Number(match[1]);
  }
  return kb * 1024;
}

/** The PIDs whose parent is `pid` (e.g. nginx workers under the master we started). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (list !== '') for (const child of list.split(' ')) children.push(Number(child));
  }
  return children;
}

export function sumCpu(pids: readonly number[]): CpuTimes {
  let userSeconds = 0;
  let systemSeconds = 0;
  for (const pid of pids) {
    const cpu = readCpu(pid);
    userSeconds += cpu.userSeconds;
    systemSeconds += cpu.systemSeconds;
  }
  return { userSeconds, systemSeconds };
}

export function sumPss(pids: readonly number[]): number {
  return pids.reduce((bytes, pid) => bytes + readPssBytes(pid), 0);
}

/**
 * Memory `pid` holds itself, in bytes: its anonymous pages (heaps, stacks) and its share of shared
 * memory (nginx's zone), not the pages of program files (Pss_Anon and Pss_Shmem: Linux 5.8 on).
 * Their share moves whenever another process maps the same files: each load-generator process is
 * another `node`, so starting them lowers a Node server's PSS by hundreds of bytes per connection
 * it then holds.
 */
export function readHeldBytes(pid: number): number {
  return rollupBytes(pid, ['Pss_Anon', 'Pss_Shmem']);
}

export function sumHeld(pids: readonly number[]): number {
  return pids.reduce((bytes, pid) => bytes + readHeldBytes(pid), 0);
}

export function cpuSince(before: CpuTimes, after: CpuTimes): CpuTimes {
  return { userSeconds: after.userSeconds - before.userSeconds, systemSeconds: after.systemSeconds - before.systemSeconds };
}

/** The whole machine's busy and total CPU time so far, from the first line of /proc/stat. */
export function readMachineCpu(): { busySeconds: number; totalSeconds: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  const hz = clockTicks();
  return { busySeconds: (total - idle) / hz, totalSeconds: total / hz };
}

/**
 * Connections the kernel dropped since boot because a listen socket's accept queue was full
 * (TcpExtListenOverflows of /proc/net/netstat, the whole machine): the client's SYN is then
 * retransmitted after 1 s, 3 s, 7 s, … as if the server were slow.
 */
export function readListenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const names = lines.find((l) => l.startsWith('TcpExt:'))?.split(' ') ?? [];
  const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]?.split(' ') ?? [];
  const at = names.indexOf('ListenOverflows');
  if (at < 0 || values[at] === undefined) throw new Error('/proc/net/netstat has no TcpExt ListenOverflows');
  return Number(values[at]);
}
