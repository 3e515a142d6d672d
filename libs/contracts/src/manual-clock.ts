/** A clock a test moves by hand, for rules about idle time that must not wait in real time. */
export class ManualClock {
  constructor(private ms = 1_700_000_000_000) {}

  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }
}
