'use client';

import type { ApiError } from '@/lib/api/fetcher';
import { FormField } from '@/components/ui/form-field';
import type { TJoinDraft, TJoinMethod } from '@/components/cluster/join-request';

type TProps = {
  draft: TJoinDraft;
  failure: ApiError | null;
  onEdit: (change: Partial<TJoinDraft>) => void;
};

const METHODS: { value: TJoinMethod; label: string }[] = [
  { value: 'credentials', label: 'Administrator credentials' },
  { value: 'token', label: 'Join token' },
];

/** How this node proves to the seed that it may join: an administrator's password, or a one-time token pinned to the certificate. */
export function JoinAuthFields({ draft, failure, onEdit }: TProps) {
  return (
    <>
      <fieldset>
        <legend className="text-sm font-medium text-gray-800">Authenticate with</legend>
        <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
          {METHODS.map(({ value, label }) => (
            <label key={value} className="inline-flex items-center gap-2 text-sm text-gray-800">
              <input
                type="radio"
                name="method"
                value={value}
                checked={draft.method === value}
                onChange={() => onEdit({ method: value })}
                className="h-4 w-4 accent-indigo-600"
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {draft.method === 'credentials' ? (
        <div className="grid grid-cols-1 items-start gap-4 md:grid-cols-2">
          <FormField
            label="Administrator user name"
            name="user"
            autoComplete="off"
            value={draft.user}
            error={failure?.messageFor('user')}
            onChange={(event) => onEdit({ user: event.target.value })}
          />
          <FormField
            label="Administrator password"
            name="password"
            type="password"
            autoComplete="off"
            value={draft.password}
            error={failure?.messageFor('password')}
            onChange={(event) => onEdit({ password: event.target.value })}
          />
          <div className="md:col-span-2 [&_p]:wrap-anywhere">
            <FingerprintField
              label="Certificate fingerprint (optional)"
              placeholder="AA:BB:… — needed when the seed serves HTTPS with a self-signed certificate"
              {...{ draft, failure, onEdit }}
            />
          </div>
        </div>
      ) : (
        <div className="space-y-2">
          {/* a fingerprint mismatch quotes the 95-character fingerprint: let it wrap inside its column */}
          <div className="grid grid-cols-1 items-start gap-4 md:grid-cols-2 [&_p]:wrap-anywhere">
            <FormField
              label="Join token"
              name="token"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              value={draft.token}
              error={failure?.messageFor('token')}
              onChange={(event) => onEdit({ token: event.target.value })}
            />
            <FingerprintField label="Certificate fingerprint" placeholder="AA:BB:…" {...{ draft, failure, onEdit }} />
          </div>
          <p className="text-xs text-gray-500">
            Copy both from the Join information on the cluster page of a node in the cluster.
          </p>
        </div>
      )}
    </>
  );
}

/** The seed's certificate fingerprint, as copied from its Join information. */
function FingerprintField({ label, placeholder, draft, failure, onEdit }: TProps & { label: string; placeholder: string }) {
  return (
    <FormField
      label={label}
      name="fingerprint"
      autoComplete="off"
      spellCheck={false}
      className="font-mono"
      placeholder={placeholder}
      value={draft.fingerprint}
      error={failure?.messageFor('fingerprint')}
      onChange={(event) => onEdit({ fingerprint: event.target.value })}
    />
  );
}
