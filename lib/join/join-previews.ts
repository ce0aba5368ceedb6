/**
 * Join previews: step 1 of a join fetched the seed's bundle (spending a one-time token, if one
 * was used) and showed the administrator what it names; the bundle waits here, in this server
 * process only, until they confirm it (step 2) or it expires. It is never sent back to the
 * browser: it holds the shared database's password and the cluster's secrets.
 */
import { randomUUID } from 'node:crypto';
import type { TJoinBundle, TJoinPreview } from '@/lib/join/schemas';

export const JOIN_PREVIEW_TTL_MS = 5 * 60_000;
/** a handful of administrators trying seeds at once; more only fills memory */
const MAX_PREVIEWS = 16;

export type TKeptPreview = { preview: TJoinPreview; bundle: TJoinBundle; seedOrigin: string };

type TStore = Map<string, TKeptPreview & { expiresAtMs: number }>;

// route bundles may load this module more than once: one store per process
const store = (): TStore => {
  const holder = globalThis as typeof globalThis & { __orchJoinPreviews?: TStore };
  holder.__orchJoinPreviews ??= new Map();
  return holder.__orchJoinPreviews;
};

function dropExpired(previews: TStore, now: number): void {
  for (const [id, kept] of previews) if (kept.expiresAtMs <= now) previews.delete(id);
}

export function keepPreview(make: (previewId: string, expiresAt: string) => TKeptPreview, now = Date.now()): TKeptPreview {
  const previews = store();
  dropExpired(previews, now);
  // the oldest goes first when too many wait
  while (previews.size >= MAX_PREVIEWS) previews.delete(previews.keys().next().value!);
  const previewId = randomUUID();
  const expiresAtMs = now + JOIN_PREVIEW_TTL_MS;
  const kept = make(previewId, new Date(expiresAtMs).toISOString());
  previews.set(previewId, { ...kept, expiresAtMs });
  return kept;
}

/** Takes the preview out (a preview is confirmed once); undefined when unknown or expired. */
export function takePreview(previewId: string, now = Date.now()): TKeptPreview | undefined {
  const previews = store();
  dropExpired(previews, now);
  const kept = previews.get(previewId);
  if (!kept) return undefined;
  previews.delete(previewId);
  const { expiresAtMs: _expires, ...preview } = kept;
  return preview;
}
