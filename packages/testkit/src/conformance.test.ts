import { appendFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Feature, FeatureBatch, Retraction, Sink } from '@qenus/core'
import { describeSinkConformance } from './conformance.js'

/** A JSON-lines file sink, only to run the suite on itself; bigints travel as tagged strings. */
class JsonLinesSink implements Sink {
  #buffer: string[] = []
  constructor(readonly file: string) {}
  async write(batch: FeatureBatch) {
    for (const f of batch.features) this.#buffer.push(stringify({ type: 'feature', feature: f }))
  }
  async revert(r: Retraction) {
    this.#buffer.push(stringify({ type: 'retraction', ids: r.ids }))
  }
  async flush() {
    if (this.#buffer.length) await appendFile(this.file, this.#buffer.join(''))
    this.#buffer = []
  }
  async close() {
    await this.flush()
  }
}

const stringify = (v: unknown) => `${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `bigint:${x}` : x))}\n`

async function readJsonLines(file: string) {
  const text = await readFile(file, 'utf8').catch(() => '')
  const records = text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      JSON.parse(line, (_k, x) => (typeof x === 'string' && /^bigint:-?\d+$/.test(x) ? BigInt(x.slice(7)) : x)),
    )
  return {
    features: records.filter((r) => r.type === 'feature').map((r) => r.feature as Feature),
    retractedIds: records.filter((r) => r.type === 'retraction').flatMap((r) => r.ids as string[]),
  }
}

describeSinkConformance({
  name: 'a JSON-lines file sink',
  create: async ({ dir }) => {
    const file = join(dir, 'features.jsonl')
    return { sink: new JsonLinesSink(file), readBack: () => readJsonLines(file) }
  },
})
