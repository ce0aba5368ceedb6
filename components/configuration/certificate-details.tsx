import type { TCertificateDescription } from '@/lib/tls/describe-certificate';
import { Badge } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';

/** Expiry as a badge: red once expired, amber within the 30-day warning, green otherwise. */
export function CertificateExpiry({ certificate }: { certificate: TCertificateDescription }) {
  if (certificate.expired) return <Badge tone="red">EXPIRED</Badge>;
  if (certificate.expiresSoon) return <Badge tone="amber">EXPIRES IN {Math.max(0, certificate.daysLeft)} DAYS</Badge>;
  return <Badge tone="green">VALID · {certificate.daysLeft} DAYS LEFT</Badge>;
}

/** One certificate's public facts; never anything about its key. */
export function CertificateDetails({ certificate }: { certificate: TCertificateDescription }) {
  const warn = certificate.expiresSoon;
  return (
    <dl className="space-y-2 text-sm">
      <div>
        <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">Fingerprint (SHA-256)</dt>
        <dd className="mt-0.5 font-mono text-xs break-all text-gray-900">{certificate.fingerprint}</dd>
      </div>
      <div>
        <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">Subject</dt>
        <dd className="mt-0.5 text-gray-900">{certificate.subject}</dd>
      </div>
      <div>
        <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">Names and addresses</dt>
        <dd className="mt-0.5 text-gray-900">
          {certificate.sans.length > 0 ? certificate.sans.join(', ') : <span className="text-gray-500">none</span>}
        </dd>
      </div>
      <div>
        <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">Valid until</dt>
        <dd className={`mt-0.5 flex flex-wrap items-center gap-2 ${warn ? 'font-semibold text-red-800' : 'text-gray-900'}`}>
          <DateTime value={certificate.notAfter} />
          <CertificateExpiry certificate={certificate} />
        </dd>
      </div>
    </dl>
  );
}
