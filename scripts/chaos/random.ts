/**
 * The chaos runner's random numbers come from a seed, so that a failing run can be replayed with
 * `--seed N`: the same seed chooses the same faults, nodes and pauses (the timing of the machine
 * itself still varies). mulberry32: 32 bits of state, plenty for choosing faults.
 */
export type TRandom = () => number;

export function seededRandom(seed: number): TRandom {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for a run that was not given one. */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
