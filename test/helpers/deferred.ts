/** A promise whose settlement the test controls: no sleeps, deterministic interleavings. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every already-queued microtask (and the ones they queue) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A fake clock for stores: advance it instead of sleeping. */
export class FakeClock {
  private time = 0;
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}
