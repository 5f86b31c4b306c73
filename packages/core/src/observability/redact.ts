const REDACTED = '<redacted>'
const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>`]+/gi

/**
 * Hides the secret parts of a provider URL: keeps scheme, host and port, drops userinfo, path,
 * query and fragment, so a log line still says which provider it was about.
 *
 * @param url - The URL, e.g. `https://eth-mainnet.g.alchemy.com/v2/KEY`.
 * @returns `scheme://host[:port]/<redacted>`, the bare origin when there was nothing to hide, or
 *   `<redacted>` when `url` does not parse.
 *
 * @example
 * ```ts
 * import { redactUrl } from '@qenus/core'
 * redactUrl('https://user:pw@rpc.example.com:8545/v2/KEY?x=1') // 'https://rpc.example.com:8545/<redacted>'
 * ```
 */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return REDACTED
  }
  if (!parsed.host) return REDACTED
  const origin = `${parsed.protocol}//${parsed.host}`
  const bare = !parsed.username && !parsed.password && !parsed.search && !parsed.hash
  if (!bare || (parsed.pathname !== '/' && parsed.pathname !== '')) return `${origin}/${REDACTED}`
  // Keep a trailing slash: in text it may precede what an earlier redaction left.
  return url.endsWith('/') ? `${origin}/` : origin
}

/** Replaces every http(s)/ws(s) URL inside free text with its {@link redactUrl} form. */
export function redactUrlsInText(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => redactUrl(match))
}

/** Redacts URLs in strings, arrays and objects, e.g. a `providers` list of strings or `{ url }` objects. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrl(value)
  if (value === null || typeof value !== 'object') return value
  if (depth > 4) return REDACTED
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, depth + 1)]))
}

const SECRET_KEYS = ['url', 'urls', 'providers', 'rpcUrl', 'wsUrl', 'headers.authorization', 'authorization']

/** pino `redact` paths: the secret keys at the top level and up to two objects deep. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`])

/** pino `redact.censor`: authorization values vanish, URL-bearing values keep their origin. */
export function censor(value: unknown, path: string[]): unknown {
  return path.at(-1)?.toLowerCase() === 'authorization' ? REDACTED : redactDeep(value)
}

/** Redacts every URL inside the strings of a JSON-like value, e.g. what a source reports for `/health`. */
export function redactUrlsDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlsInText(value)
  if (value === null || typeof value !== 'object') return value
  if (depth > 8) return REDACTED
  if (Array.isArray(value)) return value.map((item) => redactUrlsDeep(item, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactUrlsDeep(item, depth + 1)]))
}
