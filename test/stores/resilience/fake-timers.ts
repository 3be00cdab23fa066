import type { TimerHandle, Timers } from '../../../lib/stores/resilience/timers.js';

interface Pending {
  readonly at: number;
  readonly callback: () => void;
}

interface FakeHandle extends TimerHandle {
  readonly id: number;
  unrefed: boolean;
}

/** A clock and timers moved by hand: `advance(ms)` runs every timer due, in order, at its time. */
export class FakeTimers implements Timers {
  time = 0;
  readonly pending = new Map<number, Pending>();
  readonly handles: FakeHandle[] = [];
  #next = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.pending.set(id, { at: this.time + ms, callback });
    const handle: FakeHandle = {
      id,
      unrefed: false,
      unref() {
        handle.unrefed = true;
      },
    };
    this.handles.push(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.pending.delete((handle as FakeHandle).id);
  }

  /** Moves time forward by `ms`, running each timer that falls due (also ones armed meanwhile). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, Pending] | undefined;
      for (const entry of this.pending)
        if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }
}
