/** Join previews are kept for 5 minutes, confirmed once, and never pile up. */
import { describe, expect, it } from 'vitest';
import { JOIN_PREVIEW_TTL_MS, keepPreview, takePreview, type TKeptPreview } from '@/lib/join/join-previews';

const keep = (now: number) =>
  keepPreview(
    (previewId, expiresAt) =>
      ({ preview: { previewId, expiresAt }, bundle: {}, seedOrigin: 'http://127.0.0.1:3000' }) as unknown as TKeptPreview,
    now,
  );

describe('join previews', () => {
  it('gives a preview once, within its time', () => {
    const now = 1_000_000;
    const kept = keep(now);
    expect(kept.preview.expiresAt).toBe(new Date(now + JOIN_PREVIEW_TTL_MS).toISOString());
    expect(takePreview(kept.preview.previewId, now + JOIN_PREVIEW_TTL_MS - 1)).toEqual(kept);
    expect(takePreview(kept.preview.previewId, now + JOIN_PREVIEW_TTL_MS - 1)).toBeUndefined();
  });

  it('forgets a preview that expired', () => {
    const kept = keep(2_000_000);
    expect(takePreview(kept.preview.previewId, 2_000_000 + JOIN_PREVIEW_TTL_MS)).toBeUndefined();
  });

  it('keeps at most 16, dropping the oldest', () => {
    const now = 3_000_000;
    const all = Array.from({ length: 20 }, () => keep(now));
    expect(takePreview(all[0].preview.previewId, now)).toBeUndefined();
    expect(takePreview(all[19].preview.previewId, now)).toEqual(all[19]);
  });
});
