/**
 * A local sink plugin for latency benches, loaded by path (`use: './stamp-sink.mjs', tag: 'x'`):
 * it JSON-encodes every feature with the core's codec, as a real feed would, throws the bytes
 * away and stamps when each block's write ended (its last feature written).
 */
import { definePlugin, defineSink, encodeFeatureJson, inject, OptionsToken, z } from '@qenus/core'

/** Per tag, block number -> `performance.now()` when its write ended, and features per block. */
export const stamps = new Map()

/** The stamps of `tag`, created empty. */
export function stampsOf(tag) {
  let map = stamps.get(tag)
  if (!map) {
    map = new Map()
    stamps.set(tag, map)
  }
  return map
}

class StampSink {
  /** @param {{ tag: string }} options */
  constructor(options) {
    this.stamps = stampsOf(options.tag)
  }

  /** @param {import('@qenus/core').FeatureBatch} batch */
  async write(batch) {
    let bytes = 0
    for (const feature of batch.features) bytes += encodeFeatureJson(feature).length + 1
    this.stamps.set(batch.block.number, { at: performance.now(), features: batch.features.length, bytes })
  }

  async revert() {}

  async flush() {}
}

// Plain JavaScript has no parameter decorators: apply @inject(OptionsToken) by hand.
inject(OptionsToken)(StampSink, undefined, 0)

export default definePlugin({
  name: 'bench-stamp-sink',
  version: '0.0.0',
  apiVersion: '^0.1.0',
  components: {
    sinks: {
      stamp: defineSink({
        name: 'stamp',
        summary: 'JSON-encodes every feature, discards it and stamps the end of each block write.',
        stability: 'experimental',
        options: z.strictObject({ tag: z.string() }),
        component: StampSink,
      }),
    },
  },
})
