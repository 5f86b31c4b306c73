const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/

/**
 * Appends a key or index to a config path: `chains` + `ethereum` → `chains.ethereum`,
 * `providers` + 0 → `providers[0]`; keys that are not plain names are quoted, `chains["a.b"]`.
 * @internal
 */
export function joinPath(base: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${base}[${key}]`
  const name = String(key)
  if (!IDENTIFIER.test(name)) return `${base}[${JSON.stringify(name)}]`
  return base ? `${base}.${name}` : name
}

/** Joins a whole key list onto `base`. @internal */
export function joinPaths(base: string, keys: readonly PropertyKey[]): string {
  return keys.reduce<string>((path, key) => joinPath(path, key), base)
}

/** True when `path` is `prefix` or lies below it. @internal */
export function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)
}

/** True for an object literal (not an array, not null). @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Sorts issues into the order their paths appear in `config` (stable; issues at paths the config
 * lacks, such as a missing key, sort with their nearest present parent).
 * @internal
 */
export function sortByPosition<T extends { path: string }>(issues: T[], config: unknown): T[] {
  const order = new Map<string, number>()
  const visit = (value: unknown, path: string): void => {
    order.set(path, order.size)
    if (Array.isArray(value)) for (const [index, item] of value.entries()) visit(item, joinPath(path, index))
    else if (isRecord(value)) for (const [key, item] of Object.entries(value)) visit(item, joinPath(path, key))
  }
  visit(config, '')
  const rank = (path: string): number => {
    for (let at = path; at; at = parentPath(at)) {
      const found = order.get(at)
      if (found !== undefined) return found
    }
    return order.size
  }
  return issues
    .map((issue, index) => ({ issue, index, rank: rank(issue.path) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ issue }) => issue)
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
  return cut > 0 ? path.slice(0, cut) : ''
}
