import { wallClockMs } from './clock.js';

// Step starts are kept per process and collected over IPC, so measuring adds no Redis traffic.
const marks: number[] = [];

/** Records that a measured step (a chain activity or job) starts now, in the process running it. */
export function markStep(): void {
  marks.push(wallClockMs());
}

/** Returns the step starts recorded since the last call, and forgets them. */
export function takeStepMarks(): number[] {
  return marks.splice(0);
}
