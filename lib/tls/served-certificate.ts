/**
 * The certificate this process serves, read once at start by the listener (lib/tls/listener.ts)
 * and shown next to the one on disk. Kept on globalThis: the server entry and the bundled route
 * handlers are separate module instances in one process.
 */
import type { TCertificateDescription } from '@/lib/tls/describe-certificate';

export type TServedCertificate =
  /** HTTPS (and loopback HTTP) with this certificate */
  | { state: 'https'; certificate: TCertificateDescription }
  /** no certificate configured: plain HTTP */
  | { state: 'http' }
  /** certificate files present but unusable at start: plain HTTP, and why */
  | { state: 'unusable'; problem: string };

const KEY = Symbol.for('orch.served-certificate');
type TGlobal = typeof globalThis & { [KEY]?: TServedCertificate };

export function setServedCertificate(served: TServedCertificate): void {
  (globalThis as TGlobal)[KEY] = served;
}

/** What the listener recorded; plain HTTP when no listener ran in this process. */
export function servedCertificate(): TServedCertificate {
  return (globalThis as TGlobal)[KEY] ?? { state: 'http' };
}
