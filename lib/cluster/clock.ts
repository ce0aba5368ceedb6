/**
 * Time, injected: the agent reads a monotonic clock for fencing (it keeps counting while the
 * process is stopped), the wall clock only for records, and sets timers through it, so a unit
 * test can step through a failover without sleeping.
 */
export type TClock = {
  monotonicMs(): number;
  wallMs(): number;
  /** runs `fn` after `ms`; returns a function that cancels it */
  setTimer(fn: () => void, ms: number): () => void;
};

export const systemClock: TClock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimer: (fn, ms) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
