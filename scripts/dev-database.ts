/**
 * A PostgreSQL for development (writing migrations, trying queries): `npx tsx scripts/dev-database.ts [dir] [port]`.
 * Prints a DATABASE_URL; Ctrl-C stops it.
 */
import { startBuiltInDatabase } from '@/lib/node/built-in-database';

const [dataDir = '.data/dev-database', port = '55432'] = process.argv.slice(2);
const database = await startBuiltInDatabase({ dataDir, port: Number(port) });
console.log(`DATABASE_URL=${database.url}`);
const stop = async () => {
  await database.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
