/**
 * Ctrl-C or SIGTERM during a benchmark: the nodes run in process groups of their own, so the
 * terminal's signal does not reach them; kill them and stop the databases before exiting.
 */
import { killAllNodes } from './bench-node';

const cleanups = new Set<() => Promise<void>>();

/** Registers work to do on an interrupt; returns a function that takes it off again. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function handleInterrupts(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the nodes and databases of this benchmark`);
      killAllNodes();
      const deadline = new Promise((resolve) => setTimeout(resolve, 20_000).unref());
      void Promise.race([Promise.allSettled([...cleanups].map((cleanup) => cleanup())), deadline]).finally(() =>
        process.exit(130),
      );
    });
  }
}
