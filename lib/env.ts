/**
 * The only reader of process.env. Each process kind reads what it needs, validated once.
 */
import { z } from 'zod';

const ZServerEnv = z.object({
  DATABASE_URL: z.string().url(),
  ORCH_DATA_DIR: z.string().min(1),
  ORCH_PORT: z.coerce.number().int().min(1).max(65535),
  /** the address to listen on (orchctl node start --listen); unset: every interface */
  ORCH_LISTEN: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.union([z.ipv4(), z.ipv6()], { error: 'ORCH_LISTEN must be an IP address' }).optional(),
  ),
  NEXTAUTH_SECRET: z.string().min(32),
  ORCH_SUPERVISED: z.enum(['1', '0']).default('0'),
  /** 1: Next.js's development server, recompiling what is edited (`npm run dev`) */
  ORCH_DEV: z.enum(['1', '0']).default('0'),
  /** builtin: the node's own database (standalone); shared: a cluster's database */
  ORCH_DATABASE_MODE: z.enum(['builtin', 'shared']).default('shared'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  /** reverse proxies (comma-separated IP addresses) whose X-Forwarded-For names the real client */
  ORCH_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.union([z.ipv4(), z.ipv6()], { error: 'ORCH_TRUSTED_PROXIES must list IP addresses, separated by commas' }))),
});
export type TServerEnv = z.infer<typeof ZServerEnv>;

let serverEnvCache: TServerEnv | undefined;

/** The node server's settings, handed over by its supervisor (lib/node/supervisor.ts). */
export function serverEnv(): TServerEnv {
  serverEnvCache ??= ZServerEnv.parse(process.env);
  return serverEnvCache;
}

// an empty variable counts as unset
const ZOptional = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

const ZClientCredentialsEnv = z.object({ ORCH_USER: ZOptional, ORCH_PASSWORD: ZOptional, ORCH_TOKEN: ZOptional });

/** Credentials the CLI falls back to when no --user/--password is given. */
export function cliCredentialsEnv() {
  return ZClientCredentialsEnv.parse(process.env);
}

/** The first root password, when the operator chose one. */
export function rootPasswordEnv(): string | undefined {
  const value = process.env.ORCH_ROOT_PASSWORD;
  return value && value.length > 0 ? value : undefined;
}

/** The environment a child process of ours starts from (plus what the caller adds). */
export function inheritedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...extra };
}
