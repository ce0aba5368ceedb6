'use client';

import { useState, type FormEvent } from 'react';
import { apiSend, ApiError } from '@/lib/api/fetcher';
import { NOTIFY_EVENT_KINDS } from '@/lib/notify/event-kinds';
import { ZTargetCreate } from '@/lib/notify/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField, SelectField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

const EMPTY = {
  kind: 'WEBHOOK',
  name: '',
  url: '',
  secret: '',
  host: '',
  port: '587',
  security: 'STARTTLS',
  user: '',
  password: '',
  from: '',
  to: '',
};
const FIELDS = ['name', 'url', 'secret', 'events', 'smtp.host', 'smtp.port', 'smtp.user', 'smtp.from', 'smtp.to', 'smtpPassword'];

/** A new webhook or email target; secrets are sent once and never read back. */
export function TargetForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [draft, setDraft] = useState(EMPTY);
  const [events, setEvents] = useState<string[]>([...NOTIFY_EVENT_KINDS]);
  const { busy, failure, setFailure, call } = useApiCall();
  const set = (field: keyof typeof EMPTY) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [field]: event.target.value });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input =
      draft.kind === 'WEBHOOK'
        ? { kind: 'WEBHOOK', name: draft.name, url: draft.url, secret: draft.secret || undefined, events }
        : {
            kind: 'EMAIL',
            name: draft.name,
            events,
            smtp: {
              host: draft.host,
              port: Number(draft.port),
              security: draft.security,
              user: draft.user || undefined,
              from: draft.from,
              to: draft.to
                .split(',')
                .map((address) => address.trim())
                .filter(Boolean),
            },
            smtpPassword: draft.password || undefined,
          };
    const parsed = ZTargetCreate.safeParse(input);
    if (!parsed.success) return setFailure(ApiError.fromZod(parsed.error));
    await call(async () => {
      await apiSend('POST', '/api/notifications/targets', parsed.data);
      setDraft({ ...EMPTY, kind: draft.kind });
      await onCreated();
    });
  }

  return (
    <form onSubmit={submit} aria-label="Add a notification target" className="space-y-4" noValidate>
      {failure && !failure.isAboutAny(FIELDS) && <Alert>{failure.message}</Alert>}
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField label="Kind" value={draft.kind} onChange={set('kind')}>
          <option value="WEBHOOK">Webhook (HTTP POST, HMAC-SHA256 signed)</option>
          <option value="EMAIL">Email (SMTP)</option>
        </SelectField>
        <FormField
          label="Name"
          value={draft.name}
          onChange={set('name')}
          error={failure?.messageFor('name')}
          placeholder="e.g. pager"
          autoComplete="off"
        />
      </div>
      {draft.kind === 'WEBHOOK' ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <FormField
            label="URL"
            value={draft.url}
            onChange={set('url')}
            error={failure?.messageFor('url')}
            placeholder="https://hooks.example.com/orchestrator"
            autoComplete="off"
          />
          <FormField
            label="Signing secret"
            type="password"
            value={draft.secret}
            onChange={set('secret')}
            error={failure?.messageFor('secret')}
            hint="Optional, at least 16 characters; X-Orch-Signature: sha256=HMAC of the body. Never shown again."
            autoComplete="new-password"
          />
        </div>
      ) : (
        <div className="grid gap-3 sm:grid-cols-3">
          <FormField
            label="SMTP host"
            value={draft.host}
            onChange={set('host')}
            error={failure?.messageFor('smtp.host')}
            autoComplete="off"
          />
          <FormField
            label="Port"
            inputMode="numeric"
            value={draft.port}
            onChange={set('port')}
            error={failure?.messageFor('smtp.port')}
          />
          <SelectField label="Security" value={draft.security} onChange={set('security')}>
            <option value="STARTTLS">STARTTLS (required)</option>
            <option value="TLS">TLS (implicit)</option>
            <option value="NONE">None (local relay only)</option>
          </SelectField>
          <FormField
            label="SMTP user"
            value={draft.user}
            onChange={set('user')}
            error={failure?.messageFor('smtp.user')}
            autoComplete="off"
          />
          <FormField
            label="SMTP password"
            type="password"
            value={draft.password}
            onChange={set('password')}
            error={failure?.messageFor('smtpPassword')}
            hint="Never shown again."
            autoComplete="new-password"
          />
          <FormField
            label="From"
            value={draft.from}
            onChange={set('from')}
            error={failure?.messageFor('smtp.from')}
            placeholder="orchestrator@example.com"
          />
          <FormField
            label="To (comma-separated)"
            value={draft.to}
            onChange={set('to')}
            error={failure?.messageFor('smtp.to')}
            placeholder="ops@example.com"
          />
        </div>
      )}
      <fieldset>
        <legend className="text-sm font-medium text-gray-800">Events</legend>
        {failure?.messageFor('events') && <p className="text-sm text-red-700">{failure.messageFor('events')}</p>}
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {NOTIFY_EVENT_KINDS.map((kind) => (
            <label key={kind} className="flex items-center gap-1.5 font-mono text-xs text-gray-800">
              <input
                type="checkbox"
                checked={events.includes(kind)}
                onChange={(event) =>
                  setEvents(event.target.checked ? [...events, kind] : events.filter((chosen) => chosen !== kind))
                }
              />
              {kind}
            </label>
          ))}
        </div>
      </fieldset>
      <Button type="submit" variant="primary" disabled={busy}>
        Add target
      </Button>
    </form>
  );
}
