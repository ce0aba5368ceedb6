/** orchctl — run nodes and manage the cluster from a shell. See `orchctl --help`. */
import { Command, InvalidArgumentError } from 'commander';
import { isAppError } from '@/lib/api/app-error';
import { APP_VERSION } from '@/lib/node/version';
import { CliError } from './api-client';
import { runNode } from './node-start';
import { printStatus } from './status';
import { runDemo } from './demo';
import { changeSettings, type TSettingsOptions } from './settings';
import { removeNode } from './remove';
import { activateNode } from './activate';
import { setMaintenance } from './maintenance';
import { parseEventKind, printEvents, type TEventsOptions } from './events';
import { createJoinToken, joinCluster, leaveCluster, type TJoinOptions, type TJoinTokenOptions } from './join';
import type { TNodeCommandOptions } from './cluster-view';
import { pushConfiguration, restartNode, type TPushOptions } from './push';
import { changePlugin, installPluginFile, printPlugins, type TPluginListOptions } from './plugin';
import {
  generateCertificateOnNode,
  importCertificateFiles,
  setKeepOwnCertificate,
  showCertificate,
  type TCertificateImportOptions,
  type TCertificateShowOptions,
} from './certificate';
import { parseListenAddress, parseNumber, parseWholeNumber } from './options';
import { readSecretFile, resolveCommandSecrets } from './secret-input';
import { resetPassword, type TResetPasswordOptions } from './reset-password';
import {
  addEmailTarget,
  addWebhookTarget,
  printDeliveryLog,
  printTargets,
  removeTarget,
  sendTest,
  type TNotifyEmailOptions,
  type TNotifyWebhookOptions,
} from './notify';
import {
  collect,
  configureLdap,
  configureLocal,
  configureOidc,
  showAuth,
  testDirectoryLogin,
  type TAuthLdapOptions,
  type TAuthLocalOptions,
  type TAuthOidcOptions,
  type TAuthTestOptions,
} from './auth';
import { showDatabaseFacts, testDatabaseUrl, type TDatabaseShowOptions, type TDatabaseTestOptions } from './database';
import { moveDatabase, useDatabase, type TDatabaseMoveOptions, type TDatabaseUseOptions } from './database';
import { exportConfigurationFile, importConfigurationFile, type TExportOptions, type TImportOptions } from './config-transfer';
import { validateConfiguration } from './validate';
import { writeSupportBundle } from './support-bundle';
import { printConfigDiff, printConfigHistory, rollbackConfiguration, type THistoryOptions } from './config-history';
import {
  addSchedule,
  listWorkflowRuns,
  pauseSchedule,
  printSchedules,
  removeSchedule,
  type TListRunsOptions,
  type TScheduleAddOptions,
  type TScheduleListOptions,
} from './schedule';
import {
  collectInput,
  collectSet,
  importWorkflowFile,
  printWorkflows,
  resumeWorkflowRun,
  showWorkflowRun,
  startWorkflowRun,
  type TWorkflowResumeOptions,
  type TWorkflowRunOptions,
  type TWorkflowShowOptions,
} from './workflow';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535');
  return port;
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError('an http:// or https:// URL');
  }
}

const program = new Command('orchctl')
  .description('Orchestrator Control Center: run a node, manage its cluster')
  .version(APP_VERSION)
  .showHelpAfterError('(run with --help for usage)');

const withCredentials = (command: Command, urlHelp = 'a node of the cluster, e.g. http://localhost:3000') =>
  command
    .requiredOption('--url <url>', urlHelp, parseUrl)
    .option('--user <name>', 'user name (or ORCH_USER; or a token in ORCH_TOKEN)')
    .option('--password <password>', 'password (better: ORCH_PASSWORD, --password-file, or the prompt on a terminal)')
    .option('--password-file <file>', 'a file holding the password')
    // the passwords are taken from files, the environment or the terminal before the command runs
    .hook('preAction', async (self) => {
      const secrets = await resolveCommandSecrets(self.opts());
      for (const [key, value] of Object.entries(secrets)) if (value !== undefined) self.setOptionValue(key, value);
    });

const node = program.command('node').description('run a node');
node
  .command('start')
  .description('run one node in the foreground (supervised: restarts bring it back; SIGTERM/SIGINT stop it)')
  .requiredOption('--port <port>', 'HTTP port of the console and API', parsePort)
  .requiredOption('--data-dir <dir>', "the node's data directory (identity, built-in database, configuration)")
  .option(
    '--database-url <url>',
    'shared PostgreSQL database without a password in it (default: ORCH_DATABASE_URL, else the built-in database in the data directory)',
  )
  .option('--database-url-file <file>', "a file holding the shared database's URL (e.g. a systemd credential)")
  .option('--name <name>', 'node name shown in the console (default: host-port, kept in the data directory)')
  .option(
    '--listen <address>',
    'IP address to listen on (default: every interface; 127.0.0.1: this machine only)',
    parseListenAddress,
  )
  .option(
    '--advertise <url>',
    'URL other nodes and browsers reach this node at (default: the fully qualified host name or first non-loopback address; localhost with a loopback --listen)',
    parseUrl,
  )
  .action(
    async (options: {
      port: number;
      dataDir: string;
      databaseUrl?: string;
      databaseUrlFile?: string;
      name?: string;
      listen?: string;
      advertise?: string;
    }) => {
      process.exitCode = await runNode({
        port: options.port,
        dataDir: options.dataDir,
        databaseUrl: options.databaseUrl,
        databaseUrlFile: options.databaseUrlFile,
        name: options.name,
        advertiseUrl: options.advertise,
        listen: options.listen,
      });
    },
  );

node
  .command('reset-password')
  .description(
    'set a new password for a user (root by default) in the database of the node whose data directory this is; the way back in when nobody can sign in',
  )
  .requiredOption('--data-dir <dir>', "the node's data directory (its database credentials are read from there)")
  .option('--user <name>', 'the user whose password to set', 'root')
  .option('--password-file <file>', 'read the new password from this file (else ORCH_NEW_PASSWORD, else a prompt)')
  .action((options: TResetPasswordOptions) => resetPassword(options));

program
  .command('demo')
  .description('what `npm start` runs: build the console if needed, then a shared database and a small cluster')
  .option('--nodes <n>', 'number of nodes (1 to 16)', parseWholeNumber('--nodes', 1, 16), 2)
  .option('--base-port <port>', 'port of the first node', parsePort, 3000)
  .option('--data-dir <dir>', 'where the demo keeps its data', '.data/demo')
  .option('--dev', "serve the console with Next.js's development server, recompiling what you edit (`npm run dev`)")
  .action(async (options: { nodes: number; basePort: number; dataDir: string; dev?: boolean }) => {
    process.exitCode = await runDemo(options);
  });

withCredentials(program.command('status').description('show the cluster as node --url sees it'))
  .option('--json', 'print JSON (settings, nodes, reference configuration)')
  .action((options: TNodeCommandOptions & { json?: boolean }) => printStatus(options));

withCredentials(program.command('settings').description('show the cluster settings, or change the values given'))
  .option('--heartbeat-interval <seconds>', 'seconds between heartbeats', parseNumber('--heartbeat-interval'))
  .option(
    '--failover-heartbeats <n>',
    'heartbeats missed before a node counts as not responding',
    parseNumber('--failover-heartbeats'),
  )
  .option('--active-nodes <n>', 'how many nodes are active at once', parseNumber('--active-nodes'))
  .action((options: TSettingsOptions) => changeSettings(options));

withCredentials(program.command('remove').description('remove a node that is not responding from the cluster'))
  .argument('<node>', 'node id or name')
  .action((node: string, options: TNodeCommandOptions) => removeNode(options, node));

withCredentials(program.command('activate').description('hand an active slot to a standby node'))
  .argument('<node>', 'node id or name')
  .action((node: string, options: TNodeCommandOptions) => activateNode(options, node));

withCredentials(program.command('maintenance').description('put a node in maintenance (never active) or take it out'))
  .argument('<node>', 'node id or name')
  .argument('<on|off>', 'on or off')
  .action((node: string, mode: string, options: TNodeCommandOptions) => setMaintenance(options, node, mode));

withCredentials(program.command('restart').description('ask a node to restart (admin); it does at its next heartbeat'))
  .argument('<node>', 'node id or name')
  .action((node: string, options: TNodeCommandOptions) => restartNode(options, node));

withCredentials(
  program
    .command('push')
    .description('push the configuration of node --url to every node (operator); with --reset, restart them one at a time'),
)
  .option('--reset', 'restart the nodes one at a time, keeping an active node, until all run the pushed configuration')
  .option('--no-wait', 'with --reset: return once the rolling reset has started')
  .option('--timeout <seconds>', 'with --reset: how long to follow the rolling reset', parseNumber('--timeout'), 600)
  .action((options: TPushOptions) => pushConfiguration(options));

withCredentials(program.command('events').description("the cluster's event timeline, newest first"))
  .option('--node <node>', "only this node's events (id or name)")
  .option('--kind <kind>', 'only events of this kind, e.g. SETTINGS_CHANGED', parseEventKind)
  .option('--limit <n>', 'at most this many events (default 100)', parseWholeNumber('--limit', 1, 1000))
  .option('--json', 'print JSON')
  .action((options: TEventsOptions) => printEvents(options));

withCredentials(
  program.command('join').description('make node --url (standalone) join the cluster of node --seed; the node restarts'),
  'the joining node, e.g. http://localhost:3001',
)
  .requiredOption('--seed <url>', 'a node of the cluster to join', parseUrl)
  .option('--seed-user <name>', "the seed's administrator (with --seed-password)")
  .option(
    '--seed-password <password>',
    "that administrator's password (better: ORCH_SEED_PASSWORD, --seed-password-file, or the prompt)",
  )
  .option('--seed-password-file <file>', "a file holding the seed administrator's password")
  .option('--token <token>', 'a one-time join token from the seed (`orchctl join-token`), with --fingerprint')
  .option('--fingerprint <sha256>', "the cluster certificate's fingerprint, shown with the token")
  .option('--yes', "join without asking, once the seed's answer met every --expect-… option (needed without a terminal)")
  .option('--expect-cluster <name-or-id>', "refuse unless the seed's cluster has this name or id")
  .option('--expect-database <host:port/db>', "refuse unless the cluster's database is there")
  .option('--expect-fingerprint <sha256>', "refuse unless the seed serves this certificate (the cluster's, over plain HTTP)")
  .addHelpText(
    'after',
    "\nThe node first shows what the seed answered (cluster, database host, certificate); nothing changes until it is confirmed.\n--user/--password are node --url's own administrator; after the join its users are the cluster's.",
  )
  .action((options: TJoinOptions) => joinCluster(options));

withCredentials(
  program
    .command('leave')
    .description('make node --url leave its cluster and return to its built-in database; the node restarts'),
  'the leaving node, e.g. http://localhost:3001',
).action((options: TNodeCommandOptions) => leaveCluster(options));

withCredentials(program.command('join-token').description('create a one-time join token on a member of the cluster (admin)'))
  .option('--minutes <n>', 'minutes until the token expires (1 to 1440)', parseWholeNumber('--minutes', 1, 1440), 15)
  .option('--json', 'print JSON ({ token, fingerprint, expiresAt })')
  .action((options: TJoinTokenOptions) => createJoinToken(options));

const plugin = program.command('plugin').description('plugin packages (.orchplugin files) on a node');
withCredentials(
  plugin.command('install').description('install a plugin package on node --url (admin); the node uses it after a restart'),
)
  .argument('<file>', 'the package file, e.g. samples/plugins/greeting.orchplugin')
  .action((file: string, options: TNodeCommandOptions) => installPluginFile(options, file));
withCredentials(plugin.command('list').description('the plugin packages installed on node --url'))
  .option('--json', 'print JSON ({ plugins: [{ name, version, sha256, description, actions }], errors })')
  .action((options: TPluginListOptions) => printPlugins(options));

withCredentials(
  plugin.command('uninstall').description('remove a plugin package from node --url (admin); push to remove it everywhere'),
)
  .argument('<name>', 'the plugin name')
  .action((name: string, options: TNodeCommandOptions) => changePlugin(options, name, 'uninstall'));
withCredentials(
  plugin
    .command('disable')
    .description("keep a plugin on node --url's disk but do not load it (admin); push to disable it everywhere"),
)
  .argument('<name>', 'the plugin name')
  .action((name: string, options: TNodeCommandOptions) => changePlugin(options, name, 'disable'));
withCredentials(plugin.command('enable').description('load a disabled plugin again at the next start of node --url (admin)'))
  .argument('<name>', 'the plugin name')
  .action((name: string, options: TNodeCommandOptions) => changePlugin(options, name, 'enable'));

const database = program.command('database').description('the database node --url uses, and checks of another connection string');
withCredentials(
  database
    .command('show')
    .description(
      'where the database is (never its password), its version, size, connections, role, replication and heartbeat latency',
    ),
)
  .option('--json', 'print JSON')
  .action((options: TDatabaseShowOptions) => showDatabaseFacts(options));
withCredentials(
  database
    .command('test')
    .description('have node --url check a connection string (admin): one line per check; exit 0 only when all passed'),
)
  .option('--database-url-file <file>', 'read the connection string to test from this file (default: ORCH_TEST_DATABASE_URL)')
  .option('--json', 'print JSON')
  .action((options: TDatabaseTestOptions) => testDatabaseUrl(options));
withCredentials(
  database
    .command('use')
    .description(
      'switch standalone node --url from its built-in database to this one (admin): checks, copies its data with --copy-data, restarts on it',
    ),
)
  .option('--database-url-file <file>', 'read the connection string from this file (default: ORCH_TEST_DATABASE_URL)')
  .option('--copy-data', 'copy users, tokens, workflows, runs, configuration, events and audit into the new, empty database')
  .option('--yes', 'switch without asking (needed without a terminal)')
  .option('--timeout <seconds>', 'how long to wait for the outcome', (value) => Number(value), 300)
  .action((options: TDatabaseUseOptions) => useDatabase(options));
withCredentials(
  database
    .command('move')
    .description(
      'move the whole cluster to new credentials or a new address of its database (admin): every node tests it, then they switch one at a time',
    ),
)
  .option('--database-url-file <file>', 'read the new connection string from this file (default: ORCH_TEST_DATABASE_URL)')
  .option('--yes', 'move without asking (needed without a terminal)')
  .option('--timeout <seconds>', 'how long to follow the rolling reset', (value) => Number(value), 600)
  .action((options: TDatabaseMoveOptions) => moveDatabase(options));

const certificate = program.command('certificate').description('the HTTPS certificate of a node (served after its restart)');
withCredentials(certificate.command('show').description('the certificate node --url serves now and the one on its disk'))
  .option('--json', 'print JSON ({ served, onDisk, keepOwnCertificate, restartPending })')
  .action((options: TCertificateShowOptions) => showCertificate(options));
withCredentials(
  certificate.command('generate').description('generate a self-signed certificate for every member on node --url (admin)'),
).action((options: TNodeCommandOptions) => generateCertificateOnNode(options));
withCredentials(certificate.command('import').description('import a PEM certificate and its private key on node --url (admin)'))
  .requiredOption('--cert <file>', 'the certificate (PEM, optionally followed by its chain)')
  .requiredOption('--key <file>', 'its private key (PEM, not encrypted)')
  .action((options: TCertificateImportOptions) => importCertificateFiles(options));
withCredentials(
  certificate.command('keep-own').description('whether a configuration push leaves the certificate of node --url alone (admin)'),
)
  .argument('<on|off>', 'on or off')
  .action((mode: string, options: TNodeCommandOptions) => setKeepOwnCertificate(options, mode));

const notify = program
  .command('notify')
  .description('notification targets: webhooks and email told about failovers, fences and alarms (admin)');
withCredentials(
  notify
    .command('webhook')
    .description('add a webhook target: an HTTP POST of a JSON body { id, kind, node, … } per event, signed with HMAC-SHA256'),
)
  .requiredOption('--target <url>', 'the URL to post to', parseUrl)
  .option('--secret-file <file>', 'a file holding the HMAC secret (X-Orch-Signature: sha256=…)')
  .option('--events <kinds>', 'event kinds, separated by commas, or "all"', 'all')
  .option('--name <name>', "a name for the target (default: the URL's host)")
  .action((options: TNotifyWebhookOptions) => addWebhookTarget(options));
withCredentials(notify.command('email').description('add an email target (SMTP; STARTTLS unless --security says otherwise)'))
  .requiredOption('--smtp-host <host>', 'the SMTP server')
  .option('--smtp-port <port>', 'its port', parsePort, 587)
  .option(
    '--security <mode>',
    'STARTTLS, TLS (implicit) or NONE',
    (value: string) => {
      const mode = value.toUpperCase();
      if (!['STARTTLS', 'TLS', 'NONE'].includes(mode)) throw new InvalidArgumentError('STARTTLS, TLS or NONE');
      return mode;
    },
    'STARTTLS',
  )
  .option('--smtp-user <user>', 'the SMTP user, when the server needs authentication')
  .option('--smtp-password-file <file>', 'a file holding the SMTP password')
  .option('--ca-file <file>', 'a PEM CA certificate to trust for the SMTP server')
  .requiredOption('--from <address>', 'the sender address')
  .requiredOption('--to <addresses>', 'recipients, separated by commas')
  .option('--events <kinds>', 'event kinds, separated by commas, or "all"', 'all')
  .option('--name <name>', 'a name for the target (default: host:port)')
  .action((options: TNotifyEmailOptions) => addEmailTarget(options));
withCredentials(notify.command('list').description('the notification targets (their secrets are never shown)'))
  .option('--json', 'print JSON')
  .action((options: { url: string; json?: boolean }) => printTargets(options));
withCredentials(notify.command('test').description('send a test notification to a target'))
  .requiredOption('--target <name>', 'the target (name or id)')
  .action((options: { url: string; target: string }) => sendTest(options));
withCredentials(notify.command('remove').description('remove a target and its delivery log'))
  .requiredOption('--target <name>', 'the target (name or id)')
  .action((options: { url: string; target: string }) => removeTarget(options));
withCredentials(notify.command('log').description('the delivery log: latest deliveries with their result'))
  .option('--target <name>', "only this target's deliveries")
  .option('--limit <n>', 'at most this many (default 50)', parseWholeNumber('--limit', 1, 500))
  .option('--json', 'print JSON')
  .action((options: { url: string; target?: string; limit?: number; json?: boolean }) => printDeliveryLog(options));

const auth = program
  .command('auth')
  .description('how users sign in: local accounts, LDAP / Active Directory, OpenID Connect (admin)');
withCredentials(auth.command('show').description('the authentication configuration (secrets only as "stored")'))
  .option('--json', 'print JSON')
  .action((options: { url: string; json?: boolean }) => showAuth(options));
withCredentials(
  auth.command('ldap').description('configure LDAP / Active Directory sign-in; options not given keep their stored value'),
)
  .option('--server <ldap-url>', 'an ldap:// or ldaps:// server (repeatable; tried in order)', collect)
  .option('--ca-file <file>', "the PEM CA certificate that signed the directory's certificate")
  .option('--start-tls', 'upgrade ldap:// connections with StartTLS')
  .option('--bind-dn <dn>', 'the service account that searches users and groups')
  .option('--bind-password-file <file>', "a file holding the service account's password")
  .option('--user-base <dn>', 'where users are searched')
  .option('--user-filter <filter>', 'e.g. "(uid={user})" or "(sAMAccountName={user})"')
  .option('--group-base <dn>', 'where groups are searched (by their member attribute)')
  .option('--member-attribute <name>', 'the group attribute that lists member DNs (default member)')
  .option('--member-of-attribute <name>', 'or: the user attribute that lists their groups (e.g. memberOf)')
  .option('--nested-groups', 'Active Directory: groups of groups count too')
  .option('--timeout <seconds>', 'connect and operation timeout (default 5)', parseWholeNumber('--timeout', 1, 60))
  .option('--role <group=role>', 'GROUP_DN=admin|operator|viewer (repeatable; replaces the stored mappings)', collect)
  .option('--disable', 'store the configuration, switched off')
  .option('--remove', 'forget the LDAP configuration and its bind password')
  .action((options: TAuthLdapOptions) => configureLdap(options));
withCredentials(auth.command('oidc').description('configure OpenID Connect sign-in (authorization code with PKCE)'))
  .option('--issuer <url>', "the provider's issuer URL (discovery)")
  .option('--client-id <id>', 'the client id registered at the provider')
  .option('--client-secret-file <file>', 'a file holding the client secret')
  .option(
    '--scopes <scopes>',
    'scopes, separated by spaces (default "openid profile email groups offline_access"; offline_access brings the refresh token that re-checks groups)',
  )
  .option('--groups-claim <claim>', 'the ID token claim with the groups (default groups)')
  .option('--name-claim <claim>', 'the claim with the user name (default preferred_username)')
  .option('--label <text>', 'the text of the sign-in button')
  .option('--role <group=role>', 'GROUP=admin|operator|viewer (repeatable; replaces the stored mappings)', collect)
  .option('--disable', 'store the configuration, switched off')
  .option('--remove', 'forget the OpenID Connect configuration and its client secret')
  .action((options: TAuthOidcOptions) => configureOidc(options));
withCredentials(
  auth.command('local').description('switch local accounts other than root on or off; the directory re-check interval'),
)
  .option('--enable', 'local accounts sign in')
  .option('--disable', 'only root signs in with a local password')
  .option(
    '--recheck-seconds <seconds>',
    "how often a directory user's groups are re-read while they are signed in",
    parseWholeNumber('--recheck-seconds', 1, 3600),
  )
  .action((options: TAuthLocalOptions) => configureLocal(options));
withCredentials(
  auth
    .command('test')
    .description('look a directory user up: the DN found, their groups and the role they would get (signs nobody in)'),
)
  .requiredOption('--test-user <name>', "the directory user's sign-in name")
  .option('--test-password-file <file>', 'a file holding their password (or ORCH_TEST_USER_PASSWORD, or the prompt)')
  .option('--json', 'print JSON')
  .action((options: TAuthTestOptions) => testDirectoryLogin(options));
const config = program
  .command('config')
  .description('the pushed configuration versions: history, differences, pushing one again');
withCredentials(
  config.command('history').description('every kept pushed version, newest first (* marks the reference), with what changed'),
)
  .option('--json', 'print JSON ([{ version, fingerprint, pushedBy, pushedAt, pushedFromName, reference, changes }])')
  .action((options: THistoryOptions) => printConfigHistory(options));
withCredentials(
  config.command('diff').description('the field-level difference between two pushed versions: what TO has against FROM'),
)
  .argument('<from>', 'a version number')
  .argument('<to>', 'a version number')
  .option('--json', 'print JSON ({ from, to, differences })')
  .action((from: string, to: string, options: THistoryOptions) => printConfigDiff(options, from, to));
withCredentials(
  config
    .command('rollback')
    .description('push an older version again as a new version (operator); with --reset, restart the nodes one at a time'),
)
  .argument('<version>', 'the version to push again')
  .option('--reset', 'restart the nodes one at a time, keeping an active node, until all run it')
  .option('--no-wait', 'with --reset: return once the rolling reset has started')
  .option('--timeout <seconds>', 'with --reset: how long to follow the rolling reset', parseNumber('--timeout'), 600)
  .action((version: string, options: TPushOptions) => rollbackConfiguration(options, version));

// --password-file is the export file's password here; the user signs in with ORCH_PASSWORD, ORCH_TOKEN or the prompt
const withFilePassword = (command: Command) =>
  command
    .requiredOption('--url <url>', 'a node of the cluster, e.g. http://localhost:3000', parseUrl)
    .option('--user <name>', 'user name (or ORCH_USER; or a token in ORCH_TOKEN); the password from ORCH_PASSWORD or the prompt')
    .requiredOption('--password-file <file>', "a file holding the export file's password (at least 12 characters)")
    .hook('preAction', async (self) => {
      self.setOptionValue('filePassword', await readSecretFile('--password-file', self.opts().passwordFile));
      const { password } = await resolveCommandSecrets({ user: self.opts().user });
      if (password !== undefined) self.setOptionValue('password', password);
    });
withFilePassword(
  config
    .command('export')
    .description(
      "the cluster's configuration (settings, plugins, certificate and key, cluster settings, notification targets) as one encrypted file (admin)",
    ),
)
  .requiredOption('--out <file>', 'the file to write')
  .action((options: TExportOptions) => exportConfigurationFile(options));
withFilePassword(
  config.command('import').description('show what an exported file changes, then apply it as a new pushed version (admin)'),
)
  .argument('<file>', 'a file from `orchctl config export`')
  .option('--yes', 'apply without asking (needed without a terminal)')
  .option('--reset', 'then restart the nodes one at a time, as push --reset does')
  .option('--no-wait', 'with --reset: return once the rolling reset has started')
  .option('--timeout <seconds>', 'with --reset: how long to follow the rolling reset', parseNumber('--timeout'), 600)
  .action((file: string, options: TImportOptions) => importConfigurationFile(options, file));

withCredentials(
  program
    .command('validate')
    .description(
      "check the whole cluster's set-up from node --url (operator): database, clocks, certificate, reachability, versions, sync, failover window, disk",
    ),
)
  .option('--json', 'print JSON ({ ok, checks: [{ name, status: pass|warn|fail, detail, action }] })')
  .action((options: TNodeCommandOptions & { json?: boolean }) => validateConfiguration(options));

withCredentials(
  program
    .command('support-bundle')
    .description(
      "write a tar.gz of every live member's system log, the events, configuration and database facts (admin); secrets redacted",
    ),
)
  .requiredOption('--out <file>', 'the archive to write, e.g. support.tar.gz')
  .action((options: TNodeCommandOptions & { out: string }) => writeSupportBundle(options));

const workflow = program.command('workflow').description('workflows and their runs');
withCredentials(workflow.command('run').description('start a run of a workflow (operator); prints the run id'))
  .argument('<name>', 'the workflow, e.g. "Cluster Test"')
  .option('--input <name=value>', 'an input value (repeatable), e.g. --input count=8', collectInput)
  .option('--json', 'print the run as JSON')
  .option('--wait-on-failure', 'on a failure the run waits for an operator (orchctl workflow resume) instead of ending')
  .action((name: string, options: TWorkflowRunOptions) => startWorkflowRun(options, name));
withCredentials(
  workflow.command('resume').description('resume a run that failed and waits for an operator, at the failed element (operator)'),
)
  .argument('<run>', 'the run id')
  .option('--set <name=value>', 'set a variable first (repeatable); the value is JSON when it parses, else text', collectSet)
  .action((run: string, options: TWorkflowResumeOptions) => resumeWorkflowRun(options, run));
withCredentials(workflow.command('show').description('a run: its status (COMPLETED when done), variables and events'))
  .argument('<run>', 'the run id')
  .option('--json', 'print JSON (the run with events, variables and element timeline)')
  .action((run: string, options: TWorkflowShowOptions) => showWorkflowRun(options, run));
withCredentials(workflow.command('list').description('the workflows, each at its latest version'))
  .option('--json', 'print JSON')
  .action((options: TWorkflowShowOptions) => printWorkflows(options));
withCredentials(
  workflow
    .command('import')
    .description('import a workflow definition file (operator); a changed definition becomes a new version'),
)
  .argument('<file>', 'the definition JSON, e.g. samples/workflows/cluster-test.json')
  .action((file: string, options: TNodeCommandOptions) => importWorkflowFile(options, file));
withCredentials(workflow.command('list-runs').description('runs, newest first (each with scheduledFor when a schedule fired it)'))
  .option('--schedule <id>', 'only the runs this schedule fired')
  .option('--workflow <name>', "only this workflow's runs")
  .option('--status <status>', 'only runs in this status (PENDING, RUNNING, WAITING, COMPLETED, FAILED, CANCELLED)')
  .option('--limit <n>', 'at most this many (default 100)', parseWholeNumber('--limit', 1, 1000))
  .option('--json', 'print JSON')
  .action((options: TListRunsOptions) => listWorkflowRuns(options));

const schedule = program
  .command('schedule')
  .description('workflow schedules: a cron expression in a time zone, or every N seconds');
withCredentials(schedule.command('add').description('schedule a workflow (operator); prints the schedule id'))
  .argument('<workflow>', 'the workflow, e.g. "Cluster Test"')
  .option('--cron <expr>', 'a cron expression (5 fields, or 6 with seconds), e.g. "0 9 * * 1-5"')
  .option('--tz <zone>', 'the IANA time zone the cron expression is read in (default UTC), e.g. Europe/Berlin')
  .option('--every <seconds>', 'fire every N seconds instead', parseWholeNumber('--every', 1, 31 * 24 * 3600))
  .option('--input <name=value>', 'an input value (repeatable)', collectInput)
  .option('--misfire <policy>', 'after an outage: fire-once (default), skip, or catch-up')
  .option(
    '--catch-up <seconds>',
    'with --misfire catch-up: fire each missed slot at most this old',
    parseWholeNumber('--catch-up', 0, 7 * 24 * 3600),
  )
  .option('--overlap <policy>', 'allow (default), or skip a slot while the previous run has not finished')
  .option('--paused', 'add it paused')
  .option('--json', 'print the schedule as JSON')
  .action((workflowName: string, options: TScheduleAddOptions) => addSchedule(options, workflowName));
withCredentials(schedule.command('list').description('the schedules with their next fire time and last firing'))
  .option('--json', 'print JSON')
  .action((options: TScheduleListOptions) => printSchedules(options));
withCredentials(schedule.command('pause').description('pause a schedule (operator)'))
  .argument('<id>', 'the schedule id')
  .action((id: string, options: TNodeCommandOptions) => pauseSchedule(options, id, true));
withCredentials(schedule.command('resume').description('resume a paused schedule from its next slot (operator)'))
  .argument('<id>', 'the schedule id')
  .action((id: string, options: TNodeCommandOptions) => pauseSchedule(options, id, false));
withCredentials(schedule.command('remove').description('remove a schedule (operator); its runs stay'))
  .argument('<id>', 'the schedule id')
  .action((id: string, options: TNodeCommandOptions) => removeSchedule(options, id));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError || isAppError(error)) {
    process.stderr.write(`orchctl: ${error.message}\n`);
  } else {
    process.stderr.write(`orchctl: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
}
if (process.exitCode !== undefined) process.exit(process.exitCode);
