import { type ChainInfo, KNOWN_CHAINS } from '../schema/chains.js'
import { FEATURE_KINDS } from '../schema/feature.js'
import type { EntryResult } from './components.js'
import type { ConfigIssue } from './error.js'
import { isRecord, joinPath } from './path.js'

/**
 * Checks what a shape schema cannot: chains the registry does not know, chain ids used twice,
 * chain names and kind patterns that name nothing. Reads the raw config defensively, so it reports
 * alongside shape errors.
 * @internal
 */
export function checkReferences(config: Record<string, unknown>): ConfigIssue[] {
  const chains = isRecord(config.chains) ? config.chains : {}
  const names = Object.keys(chains)
  return [
    ...checkChains(chains),
    ...entriesOf(config, 'extractors').flatMap(([entry, path]) =>
      checkNames(entry.chains, names, joinPath(path, 'chains')),
    ),
    ...[...entriesOf(config, 'detectors'), ...entriesOf(config, 'sinks')].flatMap(([entry, path]) =>
      checkSelect(entry.select, names, joinPath(path, 'select')),
    ),
  ]
}

function entriesOf(config: Record<string, unknown>, key: string): [Record<string, unknown>, string][] {
  const list = config[key]
  if (!Array.isArray(list)) return []
  return list.flatMap((entry, index) => (isRecord(entry) ? [[entry, joinPath(key, index)]] : []))
}

function checkChains(chains: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const byId = new Map<number, string>()
  const known = Object.keys(KNOWN_CHAINS).join(', ')
  for (const [name, entry] of Object.entries(chains)) {
    if (!isRecord(entry)) continue
    const path = joinPath(joinPath('chains', name), 'chainId')
    const chainId = typeof entry.chainId === 'number' ? entry.chainId : knownChain(name)?.chainId
    if (entry.chainId === undefined && !knownChain(name)) {
      issues.push({ path, message: `required: chain "${name}" is not a known chain (${known}), so it needs a chainId` })
    }
    if (chainId === undefined) continue
    const other = byId.get(chainId)
    if (other !== undefined)
      issues.push({ path, message: `chain id ${chainId} is already used by ${joinPath('chains', other)}` })
    else byId.set(chainId, name)
  }
  return issues
}

/** The registry's chain called `name`, ignoring inherited object keys such as `toString`. @internal */
export function knownChain(name: string): ChainInfo | undefined {
  return Object.hasOwn(KNOWN_CHAINS, name) ? KNOWN_CHAINS[name] : undefined
}

function checkNames(value: unknown, names: string[], path: string): ConfigIssue[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((name, index) =>
    typeof name === 'string' && !names.includes(name)
      ? [{ path: joinPath(path, index), message: `unknown chain "${name}"; configured chains: ${names.join(', ')}` }]
      : [],
  )
}

function checkSelect(select: unknown, names: string[], path: string): ConfigIssue[] {
  if (!isRecord(select)) return []
  const kinds = Array.isArray(select.kinds) ? select.kinds : []
  return [
    ...checkNames(select.chains, names, joinPath(path, 'chains')),
    ...kinds.flatMap((kind, index) =>
      typeof kind === 'string' && !FEATURE_KINDS.some((known) => matchesKind(kind, known))
        ? [
            {
              path: joinPath(joinPath(path, 'kinds'), index),
              message: `"${kind}" matches no feature kind; kinds: ${FEATURE_KINDS.join(', ')}`,
            },
          ]
        : [],
    ),
  ]
}

/**
 * True when `kind` matches `pattern`, where `*` stands for any run of characters (`amm.*`).
 *
 * @example
 * ```ts
 * matchesKind('amm.*', 'amm.swap') // true
 * ```
 */
export function matchesKind(pattern: string, kind: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${source.join('.*')}$`).test(kind)
}

/**
 * Reports instance ids used twice within a role; an entry's id is its `id`, else its component name.
 * Sources are keyed by their chain, so only extractors, detectors and sinks are checked.
 * @internal
 */
export function checkIds(results: EntryResult[]): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const seen = new Map<string, string>()
  for (const { raw, name } of results) {
    if (raw.role === 'source') continue
    const id = typeof raw.entry.id === 'string' ? raw.entry.id : name
    if (id === undefined) continue
    const key = `${raw.role}\u0000${id}`
    const first = seen.get(key)
    if (first === undefined) seen.set(key, raw.path)
    else {
      const message = `duplicate ${raw.role} id "${id}" (also ${first}); give each instance a distinct id`
      issues.push({ path: joinPath(raw.path, 'id'), message })
    }
  }
  return issues
}
