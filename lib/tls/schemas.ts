/** Shapes of the certificate API's input, shared by the route, the CLI and the Configuration page. */
import { z } from 'zod';

/** A certificate with its chain, or a key, is a few KiB; this bounds what a node parses. */
export const CERTIFICATE_PEM_MAX_CHARS = 64 * 1024;

const pem = (field: string, what: string) =>
  z
    .string({ error: `${field} must be the PEM text of the ${what}` })
    .min(1, `${field} must be the PEM text of the ${what}`)
    .max(CERTIFICATE_PEM_MAX_CHARS, `${field} is longer than ${CERTIFICATE_PEM_MAX_CHARS} characters`);

/** POST /api/config/certificate: generate a self-signed certificate, or import a PEM certificate and key. */
export const ZCertificateChange = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('generate') }).strict(),
    z
      .object({
        action: z.literal('import'),
        certificate: pem('certificate', 'certificate'),
        privateKey: pem('privateKey', 'private key'),
      })
      .strict(),
  ],
  { error: 'action must be "generate" or "import"' },
);
export type TCertificateChange = z.infer<typeof ZCertificateChange>;

/** PUT /api/config/certificate: whether a configuration push leaves this node's certificate alone. */
export const ZKeepOwnCertificateUpdate = z
  .object({ keepOwnCertificate: z.boolean({ error: 'keepOwnCertificate must be true or false' }) })
  .strict();
export type TKeepOwnCertificateUpdate = z.infer<typeof ZKeepOwnCertificateUpdate>;
