// Plain JavaScript on purpose: it runs before tsx is loaded, so that a secret given on the command
// line is readable in /proc/PID/cmdline for as short a time as possible.

/** Flags whose value is a secret (the CLI warns about them; `node start` refuses a password in --database-url). */
const SECRET_FLAGS = new Set(['--password', '--seed-password', '--token']);
const MASK = '***';

/** The password inside a URL, masked; anything that is not a URL with a password comes back as it was. */
function maskUrlPassword(value) {
  // up to the last '@': a password may hold an '@' that was not percent-encoded (masking too much is harmless)
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)(.*)(@[^@]*)$/i.exec(value);
  return match && match[2] !== '' ? `${match[1]}${MASK}${match[3]}` : value;
}

/** The arguments with every secret value masked (both `--flag value` and `--flag=value`). */
export function maskSecretArguments(args) {
  const masked = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    const [flag, ...rest] = arg.split('=');
    const inline = rest.length > 0 ? rest.join('=') : undefined;
    if (SECRET_FLAGS.has(flag)) {
      if (inline !== undefined) masked.push(`${flag}=${MASK}`);
      else {
        masked.push(arg);
        if (index + 1 < args.length) masked.push(MASK);
        index += 1;
      }
    } else if (flag === '--database-url') {
      if (inline !== undefined) masked.push(`${flag}=${maskUrlPassword(inline)}`);
      else {
        masked.push(arg);
        if (index + 1 < args.length) masked.push(maskUrlPassword(args[index + 1]));
        index += 1;
      }
    } else masked.push(arg);
  }
  return masked;
}

/**
 * Overwrites this process's command line (what `ps` and /proc/PID/cmdline show) when it holds a
 * secret. On Linux, process.title writes over the memory the kernel reads the arguments from.
 * process.argv, which the CLI parses, is a copy and keeps the values.
 */
export function hideSecretArguments(argv = process.argv) {
  const masked = maskSecretArguments(argv.slice(2));
  if (masked.every((arg, index) => arg === argv[index + 2])) return false;
  process.title = [argv[0], argv[1], ...masked].join(' ');
  return true;
}
