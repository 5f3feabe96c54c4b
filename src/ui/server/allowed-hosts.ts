import { isIP, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../../errors/errors.js';

/** One allowed host: a lower-case name (an IPv6 address in brackets), and a port, or undefined for any port. */
export interface AllowedHost {
  readonly hostname: string;
  readonly port: number | undefined;
}

/** A host name or IPv4 address, or an IPv6 address in brackets, then an optional `:port`. */
const HOST_PATTERN = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/;
const NAME_PATTERN = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** `text` (a Host header or an allowed host) split into name and port; undefined when it is not one. */
function splitHost(text: string): AllowedHost | undefined {
  const trimmed = text.trim().toLowerCase();
  // A bare IPv6 address (`::1`): an allowed host may be written without the brackets a Host header has.
  const bracketed = isIPv6(trimmed) ? `[${trimmed}]` : trimmed;
  const match = HOST_PATTERN.exec(bracketed);
  if (match === null) return undefined;
  const name = (match[1] ?? '').replace(/\.$/, '');
  const valid = name.startsWith('[') ? isIPv6(name.slice(1, -1)) : NAME_PATTERN.test(name);
  if (!valid) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { hostname: name, port };
}

/**
 * Parses one entry of `allowedHosts`: a host name or IP address, with or without `:port` (`localhost`,
 * `ops.example.com:8233`, `127.0.0.1`, `[::1]:8233`, `::1`). Case and a trailing dot are ignored.
 * @throws InvalidArgumentError when it is not one.
 */
export function parseAllowedHost(entry: unknown): AllowedHost {
  const host = typeof entry === 'string' ? splitHost(entry) : undefined;
  if (host === undefined) {
    throw new InvalidArgumentError(`an allowed host must be a host name or IP address with an optional :port, got ${JSON.stringify(entry)}`);
  }
  return host;
}

/**
 * Parses the `allowedHosts` option: undefined stays undefined (every Host allowed).
 * @throws InvalidArgumentError when it is not an array of host names (see `parseAllowedHost`).
 */
export function parseAllowedHosts(allowedHosts: unknown): readonly AllowedHost[] | undefined {
  if (allowedHosts === undefined) return undefined;
  if (!Array.isArray(allowedHosts)) throw new InvalidArgumentError('allowedHosts must be an array of host names');
  return allowedHosts.map((entry) => parseAllowedHost(entry));
}

/**
 * Whether the request's `Host` header names one of `allowed`. A header without a port is taken as port 80 (plain
 * HTTP's); an entry without a port allows every port. A missing or malformed header is never allowed.
 */
export function isHostAllowed(hostHeader: string | undefined, allowed: readonly AllowedHost[]): boolean {
  if (hostHeader === undefined) return false;
  const host = splitHost(hostHeader);
  // A Host header never has a bare IPv6 address: what splitHost bracketed was not a valid header.
  if (host === undefined || (isIPv6(hostHeader.trim()) && !hostHeader.includes('['))) return false;
  const port = host.port ?? 80;
  return allowed.some((entry) => entry.hostname === host.hostname && (entry.port === undefined || entry.port === port));
}

/** `host` as a Host header names it: an IPv6 address in brackets. */
export function hostHeaderName(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/**
 * The hosts a diagnostics server on `host`:`port` answers by default: `localhost`, `127.0.0.1`, `[::1]` and the
 * bound host itself, each with `port`. A page of another site reaching the server through a name that resolves
 * to this machine (DNS rebinding) sends its own name, and is refused.
 */
export function loopbackHosts(host: string, port: number): string[] {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', hostHeaderName(host.toLowerCase())]);
  return [...names].map((name) => `${name}:${port}`);
}

/** Whether `host` (an interface to listen on) only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || /^::ffff:127\./.test(name) || /^(0+:){7}0*1$/.test(name);
  return false;
}
