'use client';

import { useState, type FormEvent, type ReactNode } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TServerSettings } from '@/lib/config/document';
import type { TServerSettingsView } from '@/lib/config/update-server-settings';
import { useServerSettings } from '@/lib/swr/use-server-settings';
import { useRefreshCluster } from '@/lib/swr/polling';
import { Alert, Notice } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField, SelectField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

type TField = keyof TServerSettings;
type TDraft = Record<TField, string>;

const FIELDS: TField[] = [
  'logLevel',
  'maxConcurrentRuns',
  'runRetentionDays',
  'auditRetentionDays',
  'eventRetentionDays',
  'configVersionsKept',
];
const LABELS: Record<TField, string> = {
  logLevel: 'Log level',
  maxConcurrentRuns: 'Maximum concurrent workflow runs',
  runRetentionDays: 'Run retention (days)',
  auditRetentionDays: 'Audit log retention (days)',
  eventRetentionDays: 'Event retention (days)',
  configVersionsKept: 'Configuration versions kept',
};
// the values lib/config/document.ts accepts; the node checks them again
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const toDraft = (settings: TServerSettings): TDraft => ({
  logLevel: settings.logLevel,
  maxConcurrentRuns: String(settings.maxConcurrentRuns),
  runRetentionDays: String(settings.runRetentionDays),
  auditRetentionDays: String(settings.auditRetentionDays),
  eventRetentionDays: String(settings.eventRetentionDays),
  configVersionsKept: String(settings.configVersionsKept),
});

/** A number as typed; anything else goes to the node as is, so that its answer names the field. */
const toNumber = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

/** This node's server settings: what is on disk, what is in force, and which ones need a restart. Admins change them. */
export function ServerSettingsForm({ canEdit }: { canEdit: boolean }) {
  const { data, error: loadError, mutate } = useServerSettings();
  const refreshCluster = useRefreshCluster();
  // null: show what is on disk; the form keeps its own copy only once someone types
  const [edited, setEdited] = useState<TDraft | null>(null);
  const { busy, failure, setFailure, call } = useApiCall();
  const [saved, setSaved] = useState(false);
  const draft = edited ?? (data ? toDraft(data.onDisk) : null);

  function setField(field: TField, value: string) {
    if (!draft) return;
    setEdited({ ...draft, [field]: value });
    setSaved(false);
    setFailure(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft) return;
    setSaved(false);
    await call(async () => {
      const body = {
        logLevel: draft.logLevel,
        maxConcurrentRuns: toNumber(draft.maxConcurrentRuns),
        runRetentionDays: toNumber(draft.runRetentionDays),
        auditRetentionDays: toNumber(draft.auditRetentionDays),
        eventRetentionDays: toNumber(draft.eventRetentionDays),
        configVersionsKept: toNumber(draft.configVersionsKept),
      };
      await mutate(await apiSend<TServerSettingsView>('PUT', '/api/config/settings', body), { revalidate: false });
      setEdited(null);
      setSaved(true);
      await refreshCluster();
    });
  }

  return (
    <Card
      title="Server settings"
      description={
        canEdit
          ? 'Written to this node’s disk. Settings that apply at once take effect when saved; the others when the node restarts.'
          : 'Only an administrator can change them.'
      }
    >
      {loadError && <Alert title="The server settings could not be read">{loadError.message}</Alert>}
      {!draft ? (
        <p className="min-h-24 text-sm text-gray-500">Loading…</p>
      ) : (
        <form onSubmit={submit} aria-label="Server settings" className="space-y-4" noValidate>
          {failure && !failure.isAboutAny(FIELDS) && <Alert>{failure.message}</Alert>}
          <div className="grid grid-cols-1 items-start gap-4 md:grid-cols-3">
            {FIELDS.map((field) => {
              const common = {
                label: LABELS[field],
                name: field,
                disabled: !canEdit,
                value: draft[field],
                error: failure?.messageFor(field),
                hint: data && <SettingHint apply={data.apply[field]} running={data.running[field]} onDisk={data.onDisk[field]} />,
              };
              return field === 'logLevel' ? (
                <SelectField key={field} {...common} onChange={(event) => setField(field, event.target.value)}>
                  {LOG_LEVELS.map((level) => (
                    <option key={level} value={level}>
                      {level}
                    </option>
                  ))}
                </SelectField>
              ) : (
                <FormField
                  key={field}
                  {...common}
                  type="number"
                  inputMode="numeric"
                  step="1"
                  onChange={(event) => setField(field, event.target.value)}
                />
              );
            })}
          </div>
          {canEdit && (
            <div className="flex min-h-10 items-center gap-4">
              <Button type="submit" variant="primary" disabled={busy}>
                Save settings
              </Button>
              {edited && (
                <Button
                  variant="ghost"
                  disabled={busy}
                  onClick={() => {
                    setEdited(null);
                    setFailure(null);
                  }}
                >
                  Undo changes
                </Button>
              )}
              {saved && <Notice>Saved on this node. Push configuration to give the settings to the other nodes.</Notice>}
            </div>
          )}
        </form>
      )}
    </Card>
  );
}

function SettingHint({ apply, running, onDisk }: { apply: 'hot' | 'restart'; running: unknown; onDisk: unknown }): ReactNode {
  const differs = JSON.stringify(running) !== JSON.stringify(onDisk);
  return (
    <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
      {apply === 'hot' ? <Badge tone="gray">applies at once</Badge> : <Badge tone="amber">needs a restart</Badge>}
      {differs && (
        <span className="text-amber-900">
          In force now: <strong>{String(running)}</strong> · on disk: <strong>{String(onDisk)}</strong>
        </span>
      )}
    </span>
  );
}
