/**
 * The notification dispatcher: one per node, on every live node (so a standby delivers "no
 * active node"). It claims due deliveries from the outbox, sends each with a timeout, and
 * records the result; a failed attempt is retried with exponential back-off, the same delivery
 * id each time. Deliveries run beside the loop, never inside the agent's heartbeat: a receiver
 * that hangs holds one of its slots until the timeout, nothing else.
 *
 * Exactly once: a row is claimed by one node at a time (SKIP LOCKED + a lease) and marked
 * DELIVERED by that node. A node that dies after a receiver accepted but before the mark leaves
 * the row to be sent again once its lease ends; the delivery id lets the receiver drop it.
 */
import type { TClaimedDelivery, TOutboxStore } from '@/lib/notify/outbox';
import { buildMessage, type TNotificationMessage } from '@/lib/notify/message';

export const SEND_TIMEOUT_MS = 5_000;
/** longer than any send, so a live claimer always finishes before its lease ends */
const LEASE_MS = 30_000;
const MAX_IN_FLIGHT = 8;
export const MAX_ATTEMPTS = 12;
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 5 * 60_000;

export type TSender = (delivery: TClaimedDelivery, message: TNotificationMessage) => Promise<string>;

type TDispatcherOptions = {
  store: TOutboxStore;
  node: { id: string; name: string };
  send: TSender;
  /** how long to wait between polls of the outbox (follows the heartbeat interval) */
  pollMs: () => number;
  now?: () => number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
};

type TLifecycle = 'idle' | 'running' | 'stopping' | 'stopped';

/** The wait before attempt `attempt + 1`, or null to give up. */
export function retryDelayMs(attempt: number): number | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
}

export class NotificationDispatcher {
  private lifecycle: TLifecycle = 'idle';
  private timer?: NodeJS.Timeout;
  private polling: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly log: NonNullable<TDispatcherOptions['log']>;

  constructor(private readonly options: TDispatcherOptions) {
    this.now = options.now ?? (() => performance.now());
    this.log = options.log ?? (() => {});
  }

  start(): void {
    if (this.lifecycle !== 'idle') throw new Error(`the notification dispatcher cannot start when ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.schedule(0);
  }

  /** Stops polling and waits for the sends in flight (each ends within its timeout). */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    this.lifecycle = 'stopping';
    clearTimeout(this.timer);
    await this.polling;
    await Promise.allSettled([...this.inFlight]);
    this.lifecycle = 'stopped';
  }

  private schedule(delayMs: number): void {
    if (this.lifecycle !== 'running') return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => this.schedule(this.options.pollMs()));
    }, delayMs);
  }

  private async poll(): Promise<void> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free <= 0) return;
    let claimed: TClaimedDelivery[];
    try {
      claimed = await this.options.store.claim(this.options.node.id, free, LEASE_MS);
    } catch (error) {
      // the database is away: the outbox waits, nothing is lost
      this.log('warn', `could not read the notification outbox: ${reason(error)}`);
      return;
    }
    for (const delivery of claimed) {
      const work = this.deliver(delivery).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
  }

  private async deliver(delivery: TClaimedDelivery): Promise<void> {
    const started = this.now();
    let outcome: { ok: boolean; result: string };
    try {
      outcome = { ok: true, result: await this.options.send(delivery, buildMessage(delivery, this.options.node.name)) };
    } catch (error) {
      outcome = { ok: false, result: reason(error) };
    }
    const retryInMs = outcome.ok ? null : retryDelayMs(delivery.attempt);
    if (outcome.ok)
      this.log(
        'debug',
        `notification ${delivery.id} (${delivery.kind}) delivered to "${delivery.target.name}": ${outcome.result}`,
      );
    if (!outcome.ok) {
      this.log(
        'warn',
        `notification ${delivery.id} (${delivery.kind}) to target "${delivery.target.name}" failed, attempt ${delivery.attempt}: ${outcome.result}${retryInMs === null ? '; giving up' : `; retrying in ${retryInMs / 1000} s`}`,
      );
    }
    try {
      await this.options.store.complete(this.options.node.id, delivery, {
        ...outcome,
        durationMs: this.now() - started,
        retryInMs,
      });
    } catch (error) {
      // the lease runs out and another node (or this one) sends it again, under the same id
      this.log('warn', `could not record notification ${delivery.id}: ${reason(error)}`);
    }
  }
}

/** An error as the delivery log shows it: the cause, never a URL or a credential. */
function reason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `timed out after ${SEND_TIMEOUT_MS / 1000} s`;
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${error.message} (${cause.code})`;
    if (cause?.message) return `${error.message} (${cause.message})`;
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
