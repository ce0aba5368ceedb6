'use client';

import { useState, type ReactNode } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TCertificateOnDisk, TCertificateView } from '@/lib/tls/certificate-view';
import type { TServedCertificate } from '@/lib/tls/served-certificate';
import { useCertificate } from '@/lib/swr/use-certificate';
import { Alert, Notice } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { CertificateDetails } from '@/components/configuration/certificate-details';
import { CertificateImportForm } from '@/components/configuration/certificate-import-form';
import { useApiCall } from '@/components/ui/use-api-call';

/**
 * This node's HTTPS certificate: what it serves (read at start) next to what is on disk (served
 * after a restart); admins generate a self-signed one, import one, or keep this node's own.
 */
export function CertificatePanel({ canEdit }: { canEdit: boolean }) {
  const { data: view, error: loadError, mutate } = useCertificate();
  const { busy, failure, call } = useApiCall();
  const [notice, setNotice] = useState<string | null>(null);

  async function changed(next: TCertificateView, message: string) {
    setNotice(message);
    await mutate(next, { revalidate: false });
  }

  async function generate() {
    setNotice(null);
    await call(async () =>
      changed(
        await apiSend<TCertificateView>('POST', '/api/config/certificate', { action: 'generate' }),
        'Generated a self-signed certificate. It is served after this node restarts.',
      ),
    );
  }

  async function setKeepOwn(keepOwnCertificate: boolean) {
    await call(async () => {
      await apiSend('PUT', '/api/config/certificate', { keepOwnCertificate });
      await mutate();
    });
  }

  return (
    <Card
      title="HTTPS certificate"
      description="The certificate this node serves on its port. Plain HTTP keeps working from this machine and for /api/health; from elsewhere it is redirected to HTTPS."
    >
      <div className="space-y-4">
        {loadError && <Alert title="The certificate could not be loaded">{loadError.message}</Alert>}
        {failure && <Alert>{failure.message}</Alert>}
        {notice && <Notice>{notice}</Notice>}
        {view?.restartPending && (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3.5 py-2.5 text-sm text-amber-900">
            The certificate on disk is not the one being served: it takes effect after this node restarts.
          </p>
        )}
        <div className="grid gap-6 md:grid-cols-2">
          <Column title="Served now">{view ? <Served served={view.served} /> : <Loading />}</Column>
          <Column title="On disk (after a restart)">{view ? <OnDisk onDisk={view.onDisk} /> : <Loading />}</Column>
        </div>
        <label className="flex items-start gap-2 text-sm text-gray-800">
          <input
            type="checkbox"
            className="mt-0.5"
            checked={view?.keepOwnCertificate ?? false}
            disabled={!canEdit || !view || busy}
            onChange={(event) => void setKeepOwn(event.target.checked)}
          />
          <span>
            Keep this node&apos;s own certificate
            <span className="block text-xs text-gray-500">
              A configuration push then leaves this node&apos;s certificate as it is.
            </span>
          </span>
        </label>
        {canEdit && (
          <div className="space-y-4 border-t border-gray-200 pt-4">
            <div className="flex flex-wrap items-center gap-3">
              <ConfirmButton
                label="Generate self-signed certificate"
                question="Replace the certificate on disk with a new self-signed one for every member?"
                confirmLabel="Generate"
                onConfirm={generate}
              />
              <span className="text-xs text-gray-500">
                Covers every member&apos;s name and address, localhost and loopback; valid 825 days.
              </span>
            </div>
            <details>
              <summary className="cursor-pointer text-sm font-medium text-gray-800">Import a certificate and its key</summary>
              <div className="mt-3">
                <CertificateImportForm
                  onImported={(next) => changed(next, 'Imported the certificate. It is served after this node restarts.')}
                />
              </div>
            </details>
          </div>
        )}
      </div>
    </Card>
  );
}

function Column({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-2">
      <h3 className="text-sm font-semibold text-gray-900">{title}</h3>
      {children}
    </section>
  );
}

function Loading() {
  return <p className="text-sm text-gray-500">Loading…</p>;
}

function Served({ served }: { served: TServedCertificate }) {
  if (served.state === 'https') return <CertificateDetails certificate={served.certificate} />;
  if (served.state === 'unusable')
    return <Alert title="Plain HTTP only: the certificate could not be served">{served.problem}</Alert>;
  return <p className="text-sm text-gray-600">No certificate: plain HTTP.</p>;
}

function OnDisk({ onDisk }: { onDisk: TCertificateOnDisk }) {
  if (onDisk.state === 'present') return <CertificateDetails certificate={onDisk.certificate} />;
  if (onDisk.state === 'unusable') return <Alert title="These files cannot be served">{onDisk.problem}</Alert>;
  return <p className="text-sm text-gray-600">No certificate.</p>;
}
