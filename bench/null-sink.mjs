/**
 * A local sink plugin for benches, loaded by path (`use: './null-sink.mjs'`): it JSON-encodes
 * every feature with the core's codec, as a real feed would, and throws the bytes away.
 */
import { definePlugin, defineSink, encodeFeatureJson, z } from '@qenus/core'

/**
 * What every NullSink of this process received. Module state, because the pipeline creates its
 * sinks itself; a bench resets it before each repetition.
 */
export const tally = { features: 0, swaps: 0, bytes: 0, blocks: 0 }

/** Resets {@link tally}. */
export function resetTally() {
  tally.features = 0
  tally.swaps = 0
  tally.bytes = 0
  tally.blocks = 0
}

/** Encodes each feature to a JSON line and counts it; keeps nothing. */
export class NullSink {
  /** @param {import('@qenus/core').FeatureBatch} batch */
  async write(batch) {
    for (const feature of batch.features) {
      tally.bytes += encodeFeatureJson(feature).length + 1
      if (feature.kind === 'amm.swap') tally.swaps++
    }
    tally.features += batch.features.length
    tally.blocks++
  }

  async revert() {}

  async flush() {}
}

/** The `null` sink: no options. */
export default definePlugin({
  name: 'bench-null-sink',
  version: '0.0.0',
  apiVersion: '^0.1.0',
  components: {
    sinks: {
      null: defineSink({
        name: 'null',
        summary: 'JSON-encodes every feature and discards it.',
        stability: 'experimental',
        options: z.strictObject({}),
        component: NullSink,
      }),
    },
  },
})
