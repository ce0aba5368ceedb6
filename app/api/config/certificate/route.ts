// GET /api/config/certificate — this node's served and on-disk certificate (never the key) · POST — generate or import one (admin; served after a restart) · PUT — keep this node's own certificate on a push (admin)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { nodeRuntime } from '@/lib/node/runtime';
import { readCertificateView } from '@/lib/tls/certificate-view';
import { writeKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import { replaceCertificate } from '@/lib/tls/replace-certificate';
import { ZCertificateChange, ZKeepOwnCertificateUpdate } from '@/lib/tls/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer' }, () => readCertificateView(nodeRuntime().dataDir));
export const POST = withApi({ role: 'admin', body: ZCertificateChange, status: 201 }, ({ body, user }) => {
  const { dataDir, identity } = nodeRuntime();
  return replaceCertificate({
    db: db(),
    dataDir,
    self: { name: identity.name, url: identity.advertiseUrl },
    actor: user.name,
    change: body,
  });
});
export const PUT = withApi({ role: 'admin', body: ZKeepOwnCertificateUpdate }, async ({ body }) => ({
  keepOwnCertificate: await writeKeepOwnCertificate(nodeRuntime().dataDir, body.keepOwnCertificate),
}));
