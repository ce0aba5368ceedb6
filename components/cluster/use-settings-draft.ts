'use client';

import { useState } from 'react';
import { ZSettingsUpdate, type TSettingsView } from '@/lib/cluster/settings';

export const SETTINGS_FIELDS = ['heartbeatIntervalSeconds', 'failoverHeartbeats', 'activeNodeCount'] as const;
export type TSettingsField = (typeof SETTINGS_FIELDS)[number];
export type TSettingsDraft = Record<TSettingsField, string>;

function toDraft(settings: TSettingsView): TSettingsDraft {
  return {
    heartbeatIntervalSeconds: String(settings.heartbeatIntervalSeconds),
    failoverHeartbeats: String(settings.failoverHeartbeats),
    activeNodeCount: String(settings.activeNodeCount),
  };
}

function sameDraft(a: TSettingsDraft, b: TSettingsDraft): boolean {
  return SETTINGS_FIELDS.every((field) => a[field] === b[field]);
}

/** An input's text as a number; an empty input is not zero. */
export function toNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The draft as the request body, checked with the API's own schema. */
export function parseDraft(draft: TSettingsDraft, version: number) {
  return ZSettingsUpdate.safeParse({
    heartbeatIntervalSeconds: toNumber(draft.heartbeatIntervalSeconds),
    failoverHeartbeats: toNumber(draft.failoverHeartbeats),
    activeNodeCount: toNumber(draft.activeNodeCount),
    version,
  });
}

/**
 * The form's own copy of the settings, and the version it was read at. Polling must not
 * overwrite what someone is typing: the copy follows the server only when a newer settings
 * version arrives and the draft still equals the values it was read from.
 */
export function useSettingsDraft(settings: TSettingsView) {
  const [base, setBase] = useState(settings);
  const [draft, setDraft] = useState(() => toDraft(settings));
  const dirty = !sameDraft(draft, toDraft(base));

  // adjusting state to a new prop during render (not in an effect) avoids one frame of stale values;
  // only forward: a poll answered before our own save must not bring the old values back
  if (settings.version > base.version && !dirty) {
    setBase(settings);
    setDraft(toDraft(settings));
  }

  return {
    draft,
    /** the settings the draft was read from: their version goes with the save */
    base,
    dirty,
    setField: (field: TSettingsField, value: string) => setDraft((current) => ({ ...current, [field]: value })),
    reset: (next: TSettingsView) => {
      setBase(next);
      setDraft(toDraft(next));
    },
  };
}
