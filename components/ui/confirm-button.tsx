'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';

type TProps = {
  /** The first button, e.g. "Delete". */
  label: string;
  /** The question shown before acting, e.g. "Delete user alice?". */
  question: string;
  /** The button that acts, e.g. "Delete user". */
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  disabled?: boolean;
};

/** A destructive action that asks once, inline; focus moves to "Cancel" so Enter does not destroy by accident. */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled }: TProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);

  async function confirm() {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  }

  if (!asking) {
    return (
      <Button size="sm" variant="ghost" className="text-red-700" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <span role="group" aria-label={question} className="inline-flex items-center gap-2">
      <span className="text-sm text-gray-700">{question}</span>
      <Button size="sm" variant="danger" disabled={busy} onClick={confirm}>
        {confirmLabel}
      </Button>
      <Button size="sm" autoFocus disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </span>
  );
}
