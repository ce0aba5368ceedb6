/**
 * Where the CLI takes a secret from (a password, a database URL): a file, the environment, or a
 * prompt that does not echo, never only the command line. A process's arguments are readable by
 * every local user (`ps`, /proc/PID/cmdline); files and the environment are not.
 */
import { readFile } from 'node:fs/promises';
import { read } from 'read';
import { cliCredentialsEnv } from '@/lib/env';
import { CliError } from './api-client';

export type TSecretSource = {
  /** the flag that takes the value itself, e.g. --password */
  flag: string;
  /** the value given with that flag, if any */
  value?: string;
  /** the file given with the flag's -file twin, e.g. --password-file */
  file?: string;
  /** the environment variable's name and value (an empty variable counts as unset) */
  envName: string;
  envValue?: string;
  /** asked on the terminal when nothing else gives the secret; no prompt: not asked */
  prompt?: string;
};

/** A secret from a file: the whole file, less one trailing line break; an empty or unreadable file is an error naming it. */
export async function readSecretFile(flag: string, file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length === 0) throw new CliError(`${flag} ${file}: the file is empty`);
  if (/[\r\n]/.test(secret)) throw new CliError(`${flag} ${file}: the file holds more than one line`);
  return secret;
}

/** Asks on the terminal without echoing what is typed; undefined when stdin is not a terminal. */
export async function promptSecret(prompt: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  try {
    const answer = await read({ prompt, silent: true, replace: '', output: process.stderr });
    process.stderr.write('\n'); // what is typed is not echoed, the Enter included
    return answer.length > 0 ? answer : undefined;
  } catch (error) {
    // read() rejects with "canceled" on Ctrl-C
    throw new CliError(`${prompt.replace(/:\s*$/, '')}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The secret from the first source that gives one: the file, the flag (kept for compatibility;
 * its value was already hidden from the process list by bin/orchctl.mjs), the environment, the
 * prompt. Both the flag and the file at once is an error.
 */
export async function resolveSecret(source: TSecretSource): Promise<string | undefined> {
  if (source.value !== undefined && source.file !== undefined) {
    throw new CliError(`give ${source.flag} or ${source.flag}-file, not both`);
  }
  if (source.file !== undefined) return readSecretFile(`${source.flag}-file`, source.file);
  if (source.value !== undefined) {
    if (process.stderr.isTTY) warnCommandLineSecret(source.flag, source.envName);
    return source.value;
  }
  if (source.envValue !== undefined && source.envValue !== '') return source.envValue;
  return source.prompt ? promptSecret(source.prompt) : undefined;
}

/**
 * Said to a person at a terminal only: scripts that still pass the flag keep working without a
 * new line in their output, and the people who type it learn the better ways.
 */
function warnCommandLineSecret(flag: string, envName: string): void {
  console.error(
    `orchctl: warning: ${flag} on the command line is kept in your shell history and seen by other local users while orchctl starts; use ${envName}, ${flag}-file or the prompt`,
  );
}

type TCommandSecrets = {
  user?: string;
  password?: string;
  passwordFile?: string;
  seedUser?: string;
  seedPassword?: string;
  seedPasswordFile?: string;
};

/**
 * The passwords of a command: --password from its flag, --password-file, ORCH_PASSWORD or a
 * prompt when a user is named and nothing else gives one; for `join`, the seed's password the
 * same way (--seed-password-file, ORCH_SEED_PASSWORD), when the seed is named by user and password.
 */
export async function resolveCommandSecrets(
  options: TCommandSecrets,
): Promise<Pick<TCommandSecrets, 'password' | 'seedPassword'>> {
  const env = cliCredentialsEnv();
  const user = options.user ?? env.ORCH_USER;
  const password = await resolveSecret({
    flag: '--password',
    value: options.password,
    file: options.passwordFile,
    envName: 'ORCH_PASSWORD',
    envValue: env.ORCH_PASSWORD,
    prompt: user ? `Password of ${user}: ` : undefined,
  });
  const bySeedPassword =
    options.seedUser !== undefined || options.seedPassword !== undefined || options.seedPasswordFile !== undefined;
  const seedPassword = bySeedPassword
    ? await resolveSecret({
        flag: '--seed-password',
        value: options.seedPassword,
        file: options.seedPasswordFile,
        envName: 'ORCH_SEED_PASSWORD',
        envValue: env.ORCH_SEED_PASSWORD,
        prompt: options.seedUser ? `Password of ${options.seedUser} on the seed: ` : undefined,
      })
    : undefined;
  return { password, seedPassword };
}
