// An edge group seen from outside while a fault runs: its processes (the supervisor and its
// members), their memory together sampled every half second and the peak of it, and the CPU they
// spent over a span.
import { childPids, readCpu, readPssBytes } from '../loadgen/index.js';

const SAMPLE_EVERY_MS = 500;

/** CPU seconds each process of the group had used at one moment. */
export type CpuMark = ReadonlyMap<number, number>;

export class EdgeGroupWatch {
  /** The largest PSS sampled, all processes together (bytes). */
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly supervisorPid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The members now (none once the supervisor is gone). */
  members(): number[] {
    try {
      return childPids(this.supervisorPid);
    } catch {
      return []; // the supervisor is gone: /proc has no children to list
    }
  }

  /** PSS of every process of the group now (bytes); remembers the peak. */
  sample(): number {
    let bytes = 0;
    for (const pid of [this.supervisorPid, ...this.members()]) bytes += orZero(() => readPssBytes(pid));
    this.peak = Math.max(this.peak, bytes);
    return bytes;
  }

  cpuMark(): CpuMark {
    return new Map([this.supervisorPid, ...this.members()].map((pid) => [pid, orZero(() => cpuSeconds(pid))]));
  }

  /** CPU seconds the processes there now spent since `mark` (all of it for those started since). */
  cpuSince(mark: CpuMark): number {
    let seconds = 0;
    for (const pid of [this.supervisorPid, ...this.members()]) seconds += orZero(() => cpuSeconds(pid)) - (mark.get(pid) ?? 0);
    return seconds;
  }

  alive(): boolean {
    try {
      process.kill(this.supervisorPid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function cpuSeconds(pid: number): number {
  const cpu = readCpu(pid);
  return cpu.userSeconds + cpu.systemSeconds;
}

/** A process may end between being listed and being read (a crash, a replacement): it counts nothing then. */
function orZero(read: () => number): number {
  try {
    return read();
  } catch {
    return 0;
  }
}
