const REDACTED = '<redacted>'

/**
 * A provider URL safe for logs and errors: scheme, host and port only; credentials, path, query
 * and fragment (where API keys live) become `<redacted>`.
 *
 * @remarks
 * Same output as `redactUrl` in `@qenus/core`'s observability, kept local until core exports it.
 *
 * @param url - A provider URL.
 * @returns `scheme://host[:port]/<redacted>`, the bare origin when there was nothing to hide, or
 *   `<redacted>` when `url` does not parse.
 *
 * @example
 * ```ts
 * redactUrl('https://eth.example.com/v2/SECRET') // 'https://eth.example.com/<redacted>'
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
  return bare && (parsed.pathname === '/' || parsed.pathname === '') ? origin : `${origin}/${REDACTED}`
}
