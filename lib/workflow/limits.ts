/**
 * The caps on what a workflow run may produce, in one place (docs/workflows.md lists them). A
 * definition's expressions and a plugin's code are untrusted: without these a few elements could
 * fill the node's memory or the database, or a run could be retried for ever. Sizes are UTF-8
 * bytes, as they are stored.
 */

/** A string value: an expression's result, a run input, a string a plugin action returns. */
export const MAX_STRING_BYTES = 64 * 1024;
/** A run's variables document, serialized as JSON, at every checkpoint (and its inputs at start). */
export const MAX_VARIABLES_BYTES = 1024 * 1024;
/** A log line (server or system log) and a failure reason: longer ones are cut, with a marker. */
export const MAX_LOG_LINE_BYTES = 8 * 1024;
/**
 * How many times a run is taken up again at the same element after its executor stopped without
 * finishing it (the node died or was fenced, or the element's checkpoint failed). One more and
 * the run fails: an element that kills its node, or that the database refuses, is not retried
 * for ever. A clean hand-over (maintenance, restart) does not count.
 */
export const MAX_ELEMENT_RETRIES = 10;

/**
 * A plugin action's CPU time (read from /proc on Linux): a fair bound on a busy host, where wall
 * time says more about the neighbours than about the plugin.
 */
export const PLUGIN_ACTION_CPU_MS = 2_000;
/** A plugin action's wall-clock time, from its process being ready to its answer. */
export const PLUGIN_ACTION_TIMEOUT_MS = 10_000;
/** How long a plugin process may take to start (a busy host), before the action's own time runs. */
export const PLUGIN_START_TIMEOUT_MS = 10_000;
/** The V8 heap of a plugin process (old generation). */
export const PLUGIN_MEMORY_MB = 64;
/**
 * A plugin process's resident memory (read from /proc on Linux): node itself takes about 40 MiB,
 * so this is reached about when the heap is full, before V8's slow last-resort collections, and
 * it also bounds memory outside the heap.
 */
export const PLUGIN_RESIDENT_MB = 112;
/** A plugin action's result, serialized as JSON. */
export const MAX_PLUGIN_OUTPUT_BYTES = MAX_VARIABLES_BYTES;
/** Plugin processes running at once on a node; further calls wait for one to end. */
export const MAX_PLUGIN_PROCESSES = 4;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Human units for messages: 65536 → "64 KiB". */
export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Cuts a text to at most `maxBytes` UTF-8 bytes, marker included, on a character boundary, and
 * says how much was cut: a log line is for people, so a long one is kept, shortened.
 */
export function truncateText(text: string, maxBytes = MAX_LOG_LINE_BYTES): string {
  const total = byteLength(text);
  if (total <= maxBytes) return text;
  const marker = ` … [cut: ${total} bytes; at most ${describeBytes(maxBytes)}]`;
  const budget = Math.max(0, maxBytes - byteLength(marker));
  const bytes = Buffer.from(text, 'utf8');
  let end = budget;
  // do not cut a character in two: step back to the first byte of the character at the cut
  if (end < bytes.length) while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + marker;
}

/**
 * A log line or failure reason as stored: PostgreSQL text cannot hold U+0000 (it is shown as
 * U+FFFD), and it is cut to MAX_LOG_LINE_BYTES.
 */
export function logSafe(text: string): string {
  return truncateText(text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text, MAX_LOG_LINE_BYTES);
}

/**
 * What a run's page shows of a long run: its latest events (and the timeline built from them) and
 * its latest server-log lines. Enough to see where the run is now, small enough to answer quickly
 * and to poll while it runs (a run of 10,000 elements would otherwise send megabytes a second).
 */
export const RUN_PAGE_EVENTS = 1_000;
export const RUN_PAGE_LOG_LINES = 2_000;
