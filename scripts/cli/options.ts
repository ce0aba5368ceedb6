/**
 * Parsers for option values. They throw CliError rather than commander's InvalidArgumentError,
 * so that a bad value ends the command with the usual single `orchctl: …` line.
 */
import { checkListenAddress } from '@/lib/node/advertise';
import { CliError } from './api-client';

/** --listen: an IP address of this host. */
export function parseListenAddress(value: string): string {
  const checked = checkListenAddress(value);
  if (!checked.ok) throw new CliError(checked.reason);
  return checked.address;
}

/** Any finite number; the server checks the range and says which field is out of it. */
export function parseNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(number)) throw new CliError(`${flag} takes a number, not "${value}"`);
    return number;
  };
}

/** A whole number from min to max, for values the CLI itself uses (node counts, limits). */
export function parseWholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new CliError(`${flag} takes a whole number from ${min} to ${max}, not "${value}"`);
    }
    return number;
  };
}
