import packageJson from '@/package.json' with { type: 'json' };

/** The application version every node reports (health, node table, join compatibility). */
export const APP_VERSION: string = packageJson.version;
