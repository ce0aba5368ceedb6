/** Shapes of the join exchange between a joining node and its seed. */
import { z } from 'zod';

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

/** POST /api/cluster/join on the joining node, from its page or `orchctl join`. */
export const ZJoinRequest = z
  .object({
    seedUrl: z.string().trim().url('seedUrl must be a URL such as http://node-1:3000'),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    token: z.string().trim().min(1).optional(),
    fingerprint: z.string().trim().min(1).optional(),
  })
  .strict()
  .refine((value) => (value.user && value.password) || (value.token && value.fingerprint), {
    message: 'give the seed administrator\'s user and password, or a join token and the certificate fingerprint',
    path: ['user'],
  });
export type TJoinRequest = z.infer<typeof ZJoinRequest>;

export const ZJoinTokenCreate = z.object({ ttlMinutes: z.number().int().min(1).max(24 * 60).default(15) }).strict();

export type TJoinInfo = {
  nodeId: string;
  clusterId: string | null;
  clusterName: string;
  /** what a joining node pins: the certificate this node serves over HTTPS, else the cluster's certificate */
  fingerprint: string | null;
  /** the cluster's own certificate (its identity; the join bundle carries it) */
  clusterFingerprint: string | null;
  version: string;
};

export type TJoinBundle = {
  clusterId: string;
  clusterName: string;
  databaseUrl: string;
  authSecret: string;
  certificate: { pem: string; keyPem: string; fingerprint: string };
  version: string;
};
