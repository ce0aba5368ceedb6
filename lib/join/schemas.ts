/**
 * Shapes of the join exchange between a joining node and its seed. What the seed answers is
 * untrusted until the administrator confirmed it: every field is typed and size-capped here, and
 * an answer that does not fit is refused naming the field.
 */
import { z } from 'zod';
import { describeDatabaseHost } from '@/lib/join/database-host';

export const ZJoiningNode = z.object({
  id: z.string().uuid(),
  name: z.string().min(1).max(100),
  url: z.string().url(),
  version: z.string().min(1).max(40),
});

/** POST /api/cluster/join-bundle on the seed: the seed's administrator credentials, or a join token. */
export const ZJoinBundleRequest = z
  .object({
    node: ZJoiningNode,
    credentials: z.union([
      z.object({ user: z.string().min(1, 'user is required'), password: z.string().min(1, 'password is required') }).strict(),
      z.object({ token: z.string().min(1, 'token is required') }).strict(),
    ]),
  })
  .strict();
export type TJoinBundleRequest = z.infer<typeof ZJoinBundleRequest>;

/** POST /api/cluster/join-preview on the joining node, from its page or `orchctl join`: step 1, nothing changes. */
export const ZJoinPreviewRequest = z
  .object({
    seedUrl: z.string().trim().url('seedUrl must be a URL such as http://node-1:3000'),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    token: z.string().trim().min(1).optional(),
    fingerprint: z.string().trim().min(1).optional(),
  })
  .strict()
  .refine((value) => (value.user && value.password) || (value.token && value.fingerprint), {
    message: "give the seed administrator's user and password, or a join token and the certificate fingerprint",
    path: ['user'],
  });
export type TJoinPreviewRequest = z.infer<typeof ZJoinPreviewRequest>;

/** What the administrator is shown before the node switches, and confirms. No secret is in it. */
export const ZJoinFacts = z
  .object({
    clusterId: z.string().uuid(),
    clusterName: z.string().min(1).max(200),
    /** host:port/database of the shared database: never its user or password */
    databaseHost: z.string().min(1).max(600),
    /** SHA-256 of the certificate the seed served on this connection; null over plain HTTP */
    fingerprint: z.string().max(200).nullable(),
  })
  .strict();
export type TJoinFacts = z.infer<typeof ZJoinFacts>;

export type TJoinPreview = TJoinFacts & {
  previewId: string;
  expiresAt: string;
  seedUrl: string;
  /** the cluster's own certificate, from the bundle (its identity) */
  clusterFingerprint: string;
  version: string;
};

/** POST /api/cluster/join: step 2, the preview the administrator confirmed, with what they saw. */
export const ZJoinConfirm = z
  .object({ previewId: z.string().uuid('previewId must be the id step 1 answered'), confirmed: ZJoinFacts })
  .strict();
export type TJoinConfirm = z.infer<typeof ZJoinConfirm>;

export const ZJoinTokenCreate = z
  .object({
    ttlMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
  })
  .strict();

const ZFingerprint = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint such as AB:CD:…');
const ZVersion = z.string().min(1).max(40);

/** GET /api/cluster/join-info on the seed: public, no secrets. */
export const ZJoinInfo = z.object({
  nodeId: z.string().uuid(),
  clusterId: z.string().uuid().nullable(),
  clusterName: z.string().min(1).max(200),
  /** what a joining node pins: the certificate this node serves over HTTPS, else the cluster's certificate */
  fingerprint: ZFingerprint.nullable(),
  /** the cluster's own certificate (its identity; the join bundle carries it) */
  clusterFingerprint: ZFingerprint.nullable(),
  version: ZVersion,
});
export type TJoinInfo = z.infer<typeof ZJoinInfo>;

const pem = (label: string) =>
  z
    .string()
    .max(64 * 1024, 'must be at most 64 KiB')
    .regex(
      new RegExp(`^-----BEGIN ${label}-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END ${label}-----\\s*$`),
      `must be one PEM block (-----BEGIN ${label}-----)`,
    );

/** POST /api/cluster/join-bundle's answer: what a member needs, secrets included. */
export const ZJoinBundle = z.object({
  clusterId: z.string().uuid(),
  clusterName: z.string().min(1).max(200),
  databaseUrl: z
    .string()
    .max(2_000, 'must be at most 2000 characters')
    .refine((value) => describeDatabaseHost(value) !== undefined, 'must be a postgres:// or postgresql:// URL naming its host'),
  authSecret: z.string().min(32, 'must be at least 32 characters').max(512, 'must be at most 512 characters'),
  certificate: z.object({ pem: pem('CERTIFICATE'), keyPem: pem('(?:RSA |EC )?PRIVATE KEY'), fingerprint: ZFingerprint }),
  version: ZVersion,
  /** the cluster's secrets key (base64, 32 bytes), from the seed's data directory; absent from older seeds */
  secretsKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a 32-byte key in base64')
    .optional(),
});
export type TJoinBundle = z.infer<typeof ZJoinBundle>;
