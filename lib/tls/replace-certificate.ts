/**
 * POST /api/config/certificate: give this node a new certificate, generated (self-signed, for
 * every member's names and addresses) or imported. Only the files change; the running process
 * keeps serving what it read at start, so the node's configuration is pending a restart.
 */
import type { TDb } from '@/lib/db/client';
import { logInfo } from '@/lib/node/log';
import { writeCertificateFiles } from '@/lib/tls/certificate-files';
import { readCertificateView, type TCertificateView } from '@/lib/tls/certificate-view';
import { describeCertificate } from '@/lib/tls/describe-certificate';
import { generateCertificate } from '@/lib/tls/generate-certificate';
import { importCertificate } from '@/lib/tls/import-certificate';
import { listMemberHosts, urlHost } from '@/lib/tls/member-hosts';
import type { TCertificateChange } from '@/lib/tls/schemas';

export type TReplaceCertificateInput = {
  db: TDb;
  dataDir: string;
  /** this node, named in the certificate even before its first heartbeat registered it */
  self: { name: string; url: string };
  actor: string;
  change: TCertificateChange;
};

export async function replaceCertificate({
  db,
  dataDir,
  self,
  actor,
  change,
}: TReplaceCertificateInput): Promise<TCertificateView> {
  if (change.action === 'import') {
    const imported = await importCertificate(dataDir, { certificate: change.certificate, privateKey: change.privateKey });
    logInfo('tls', `${actor} imported certificate ${imported.fingerprint} (${imported.subject}); served after a restart`);
  } else {
    const [cluster, hosts] = await Promise.all([
      db.cluster.findUnique({ where: { id: 1 }, select: { name: true } }),
      listMemberHosts(
        db,
        [self.name, urlHost(self.url)].filter((host): host is string => !!host),
      ),
    ]);
    const pair = await generateCertificate({ commonName: cluster?.name ?? self.name, hosts });
    await writeCertificateFiles(dataDir, pair);
    const generated = describeCertificate(pair.certificate);
    logInfo('tls', `${actor} generated certificate ${generated.fingerprint} for ${hosts.join(', ')}; served after a restart`);
  }
  return readCertificateView(dataDir);
}
