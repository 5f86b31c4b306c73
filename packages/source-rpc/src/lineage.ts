import type { BlockRef } from '@qenus/core'

/**
 * The recent canonical blocks a stream has emitted, oldest first, bounded so that a reorg up to
 * the chain's finality depth can still be walked back to its common ancestor.
 *
 * @example
 * ```ts
 * const lineage = new Lineage(65, resumeRefs)
 * lineage.push(header)
 * const dropped = lineage.revertTo(ancestor)
 * ```
 */
export class Lineage {
  readonly #refs: BlockRef[]

  /**
   * @param limit - How many refs to keep.
   * @param initial - Refs already known canonical, oldest first.
   */
  constructor(
    private readonly limit: number,
    initial: readonly BlockRef[] = [],
  ) {
    this.#refs = initial.slice(-limit).map(({ number, hash }) => ({ number, hash }))
  }

  /** The newest ref, if any. */
  get last(): BlockRef | undefined {
    return this.#refs.at(-1)
  }

  /** The kept refs, newest first. */
  newestFirst(): BlockRef[] {
    return [...this.#refs].reverse()
  }

  /** Appends the next canonical block, dropping the oldest beyond the limit. */
  push(ref: BlockRef): void {
    this.#refs.push({ number: ref.number, hash: ref.hash })
    if (this.#refs.length > this.limit) this.#refs.shift()
  }

  /**
   * Drops every ref above `ancestor`.
   *
   * @returns The dropped refs, newest first.
   */
  revertTo(ancestor: BlockRef): BlockRef[] {
    const keep = this.#refs.findIndex((ref) => ref.number === ancestor.number) + 1
    return this.#refs.splice(keep).reverse()
  }
}
