'use client';

import { useId, useRef, useState } from 'react';
import type { TCreatedToken } from '@/lib/tokens/schemas';
import { Button } from '@/components/ui/button';

/** The value of a token just created: the only time it is shown, so it must be copied now. */
export function NewTokenValue({ token, onDismiss }: { token: TCreatedToken; onDismiss: () => void }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  async function copyToken() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied(true);
    } catch {
      // no clipboard access (plain HTTP off localhost): the value stays selected for Ctrl+C
      setCopied(false);
    }
  }

  return (
    <div className="space-y-2 rounded-md border border-indigo-200 bg-indigo-50 p-4" role="status">
      <label htmlFor={id} className="block text-sm font-semibold text-gray-900">
        New token “{token.name}”
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          ref={input}
          id={id}
          readOnly
          value={token.token}
          aria-describedby={`${id}-note`}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-sm"
        />
        <Button onClick={copyToken}>{copied ? 'Copied' : 'Copy'}</Button>
        <Button variant="ghost" onClick={onDismiss}>
          Done
        </Button>
      </div>
      <p id={`${id}-note`} className="text-sm text-gray-700">
        Copy it now: it is not shown again.
      </p>
    </div>
  );
}
