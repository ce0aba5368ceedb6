// Read by the Prisma CLI only. Migrations run through the bundled WebAssembly schema engine and
// a driver adapter, because the CLI would otherwise download a native engine, and nothing but
// npm packages may be downloaded.
import { defineConfig } from 'prisma/config';
import { createMigrateAdapter } from './prisma/migrate-adapter';

// The CLI does not read .env when a config file exists; generate needs some URL to be set.
process.env.DATABASE_URL ??= 'postgresql://localhost:5432/unset';

// The WebAssembly engine leaves long timers armed, so every command would idle before exiting.
for (const name of ['setTimeout', 'setInterval'] as const) {
  const original = globalThis[name] as (...args: unknown[]) => NodeJS.Timeout;
  (globalThis as Record<string, unknown>)[name] = (fn: unknown, ms?: number, ...rest: unknown[]) => {
    const timer = original(fn, ms, ...rest);
    if ((ms ?? 0) >= 5000) timer.unref();
    return timer;
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => createMigrateAdapter(process.env.DATABASE_URL!),
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
