/** Numbers and states as the cluster pages write them. */

/** Seconds without float noise: 1 × 5 → "5 s", 0.2 × 3 → "0.6 s". */
export function formatSeconds(seconds: number): string {
  return `${Number.parseFloat(seconds.toPrecision(12))} s`;
}

/** The failover window, interval × failover heartbeats, or null while an input is not a number. */
export function failoverSeconds(intervalSeconds: number, heartbeats: number): number | null {
  const product = intervalSeconds * heartbeats;
  return Number.isFinite(product) ? product : null;
}

/** How long ago, in the unit an operator reads at a glance: "0.4 s ago", "12 s ago", "5 min ago". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s ago`;
  if (seconds < 120) return `${Math.round(seconds)} s ago`;
  const minutes = seconds / 60;
  if (minutes < 120) return `${Math.round(minutes)} min ago`;
  const hours = minutes / 60;
  return hours < 48 ? `${Math.round(hours)} h ago` : `${Math.round(hours / 24)} d ago`;
}

/** ACTIVE, NOT_RESPONDING, IN_SYNC … in words: underscores become spaces. */
export function formatCode(code: string): string {
  return code.replaceAll('_', ' ');
}

/** The first 12 characters of a SHA-256 fingerprint, enough to tell versions apart. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}
