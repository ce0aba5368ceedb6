'use client';

import { useId, useRef, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';

type TProps = { label: string; value: string; hint?: ReactNode };

type TCopyOutcome = 'idle' | 'copied' | 'selected';

/** A value to hand to someone else (address, fingerprint, token): read-only, monospace, with a Copy button. */
export function CopyField({ label, value, hint }: TProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<{ value: string; kind: TCopyOutcome }>({ value, kind: 'idle' });
  const shown = outcome.value === value ? outcome.kind : 'idle';

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setOutcome({ value, kind: 'copied' });
    } catch {
      // the clipboard API exists only in secure contexts (https, loopback): select the text for a manual copy instead
      input.current?.focus();
      input.current?.select();
      setOutcome({ value, kind: 'selected' });
    }
  }

  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-800">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          ref={input}
          readOnly
          value={value}
          spellCheck={false}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(event) => event.target.select()}
          className="block h-9.5 w-full min-w-0 rounded-md border border-gray-300 bg-gray-50 px-3 py-2 font-mono text-sm text-gray-900 shadow-xs"
        />
        <Button disabled={!value} onClick={copy}>
          {/* named by its content, not aria-label, so that the field alone answers to its label */}
          Copy<span className="sr-only"> {label.toLowerCase()}</span>
        </Button>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-gray-600">
          {hint}
        </p>
      )}
      <p role="status" className="text-xs text-green-800">
        {shown === 'copied' ? 'Copied.' : shown === 'selected' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </p>
    </div>
  );
}
