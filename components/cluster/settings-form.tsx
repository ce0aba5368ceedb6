'use client';

import { useState, type FormEvent } from 'react';
import { apiSend, ApiError, toApiError } from '@/lib/api/fetcher';
import { SETTINGS_LIMITS, type TSettingsView } from '@/lib/cluster/settings';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { FailoverReadout } from '@/components/cluster/failover-readout';
import { SETTINGS_FIELDS, parseDraft, useSettingsDraft, type TSettingsField } from '@/components/cluster/use-settings-draft';

type TProps = {
  settings: TSettingsView;
  /** administrators change the settings; everyone else reads them */
  canEdit: boolean;
  /** reloads the cluster status and answers with the settings now in force */
  onChanged: () => Promise<TSettingsView | undefined>;
};

const INPUTS: { field: TSettingsField; label: string; step: string }[] = [
  { field: 'heartbeatIntervalSeconds', label: 'Heartbeat interval (seconds)', step: 'any' },
  { field: 'failoverHeartbeats', label: 'Number of failover heartbeats', step: '1' },
  { field: 'activeNodeCount', label: 'Number of active nodes', step: '1' },
];

export function SettingsForm({ settings, canEdit, onChanged }: TProps) {
  const { draft, base, setField, reset } = useSettingsDraft(settings);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    setConflict(null);
    const parsed = parseDraft(draft, base.version);
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    setBusy(true);
    setFailure(null);
    try {
      reset(await apiSend<TSettingsView>('PUT', '/api/cluster/settings', parsed.data));
      setSaved(true);
      await onChanged();
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code !== 'STALE_VERSION') setFailure(apiError);
      else {
        // someone saved in between: show their values, as the server states them, in the form
        setConflict(apiError.message);
        const current = await onChanged();
        if (current) reset(current);
      }
    }
    setBusy(false);
  }

  return (
    <Card
      title="Cluster settings"
      description={
        canEdit ? 'Nodes pick changes up within one heartbeat; no restart needed.' : 'Only an administrator can change them.'
      }
    >
      <form onSubmit={submit} aria-label="Cluster settings" className="space-y-4" noValidate>
        {conflict && <Alert title="Someone else saved first.">{conflict}</Alert>}
        {failure && !failure.isAboutAny(SETTINGS_FIELDS) && <Alert>{failure.message}</Alert>}
        <div className="grid grid-cols-1 items-start gap-4 md:grid-cols-4">
          {INPUTS.map(({ field, label, step }) => (
            <FormField
              key={field}
              label={label}
              name={field}
              type="number"
              inputMode={step === 'any' ? 'decimal' : 'numeric'}
              step={step}
              min={SETTINGS_LIMITS[field].min}
              max={SETTINGS_LIMITS[field].max}
              hint={`${SETTINGS_LIMITS[field].min}–${SETTINGS_LIMITS[field].max}`}
              disabled={!canEdit}
              value={draft[field]}
              error={failure?.messageFor(field)}
              onChange={(event) => {
                setField(field, event.target.value);
                setSaved(false);
                setFailure(null);
              }}
            />
          ))}
          <FailoverReadout draft={draft} />
        </div>
        {canEdit && (
          <div className="flex min-h-10 items-center gap-4">
            <Button type="submit" variant="primary" disabled={busy}>
              Save
            </Button>
            {saved && <Notice>Saved.</Notice>}
          </div>
        )}
      </form>
    </Card>
  );
}
