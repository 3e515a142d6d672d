// The suite's watchdog: a small process the bench starts first, which outlives it to clean up when
// it is killed outright (SIGKILL, the OOM killer), where no handler of its own can run. It reads
// its stdin, a pipe from the bench: "done" then end-of-file means the bench stopped what it started
// and nothing is left to do; end-of-file alone means the bench died, and then every process that
// carries the run's mark in its environment (everything the bench started inherits it) and every
// descendant of those (nginx workers, edge members, whatever cleared its environment) is SIGKILLed,
// and so is every descendant of the bench seen while it lived (redis-server overwrites its
// environment with its title, and a dead parent's children lose their link to it): the watchdog
// looks at the bench's process tree every 250 ms. Several sweeps, so a process forked while the
// first one ran is caught by the next.
import { readFileSync, readdirSync } from 'node:fs';

const WATCH_EVERY_MS = 250;
const SWEEPS = 5;
const SWEEP_GAP_MS = 200;

interface Proc {
  readonly parent: number;
  /** Start time since boot, in clock ticks: a PID reused by another process has another one. */
  readonly started: string;
}

/** Every process readable now. */
function processes(): Map<number, Proc> {
  const map = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name: state, ppid (4th of proc(5)), …, starttime (22nd).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(name), { parent: Number(fields[1]), started: fields[19]! });
    } catch {
      // ended meanwhile
    }
  }
  return map;
}

function carriesMark(pid: number, mark: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(mark);
  } catch {
    return false; // ended meanwhile, or not ours to read
  }
}

/** `roots` and all their descendants in `table`, this process apart. */
function withDescendants(table: Map<number, Proc>, roots: Iterable<number>): Set<number> {
  const found = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { parent }] of table) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return found;
}

class Watch {
  /** Descendants of the bench seen while it lived, with their start times. */
  private readonly seen = new Map<number, string>();

  constructor(
    private readonly bench: number,
    private readonly mark: string,
  ) {}

  look(): void {
    const table = processes();
    for (const [pid, started] of this.seen) if (table.get(pid)?.started !== started) this.seen.delete(pid); // ended
    for (const pid of withDescendants(table, [this.bench])) if (pid !== this.bench) this.seen.set(pid, table.get(pid)!.started);
  }

  /** The processes of the run alive now: seen ones (the same process, not a reused PID), marked ones, their descendants. */
  private targets(): Set<number> {
    const table = processes();
    const roots = [...table.keys()].filter((pid) => this.seen.get(pid) === table.get(pid)!.started || carriesMark(pid, this.mark));
    return withDescendants(table, roots);
  }

  async sweep(): Promise<void> {
    for (let i = 0; i < SWEEPS; i++) {
      for (const pid of this.targets()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // ended meanwhile
        }
      }
      await new Promise((resolve) => setTimeout(resolve, SWEEP_GAP_MS));
    }
  }
}

function main(): void {
  const mark = process.argv[2];
  if (mark === undefined || !mark.includes('=')) {
    console.error('usage: watchdog-process.js NAME=VALUE (the environment mark of the run)');
    process.exit(2);
  }
  const watch = new Watch(process.ppid, mark);
  const looking = setInterval(() => watch.look(), WATCH_EVERY_MS);
  // A terminal's Ctrl-C reaches the whole process group: the bench handles it, this one must
  // stay to see whether the bench then ends cleanly.
  for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
  let told = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => (told = (told + chunk).slice(-16)));
  process.stdin.on('end', () => {
    clearInterval(looking);
    if (told.includes('done')) process.exit(0);
    void watch.sweep().then(() => process.exit(0));
  });
}

main();
