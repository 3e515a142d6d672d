// A wall clock in microseconds that two processes on one machine agree on: the publisher stamps
// events with it and the generator processes compare against it. Date.now() has only
// millisecond steps; this adds the monotonic clock's fraction to the process's start time.

export function wallMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
