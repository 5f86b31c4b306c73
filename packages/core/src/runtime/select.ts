import type { Selector } from '../config/types.js'
import type { Feature } from '../schema/feature.js'

/** A compiled {@link Selector}. */
export interface SelectorMatcher {
  /** Whether features of chain `name` may pass at all. */
  chain(name: string): boolean
  /** Whether one feature passes (its chain, kind and protocol). */
  feature(feature: Feature): boolean
}

const anyOf = <T>(values: T[] | undefined, test: (value: T) => boolean): boolean =>
  values === undefined || values.some(test)

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )

/**
 * Compiles a sink's or detector's `select`: a feature passes when its chain, kind and protocol
 * each match one listed value (an omitted list matches everything; kinds take `*` wildcards).
 *
 * @example
 * ```ts
 * compileSelector({ kinds: ['amm.*'], chains: ['ethereum'] }).feature(swap) // true for an ethereum swap
 * ```
 */
export function compileSelector(select: Selector | undefined): SelectorMatcher {
  const chains = select?.chains ? new Set(select.chains) : undefined
  const kinds = select?.kinds?.map(globToRegExp)
  const protocols = select?.protocols ? new Set(select.protocols) : undefined
  const chain = (name: string) => chains === undefined || chains.has(name)
  return {
    chain,
    feature: (feature) =>
      chain(feature.chain) &&
      anyOf(kinds, (kind) => kind.test(feature.kind)) &&
      (protocols === undefined || protocols.has(feature.protocol)),
  }
}
