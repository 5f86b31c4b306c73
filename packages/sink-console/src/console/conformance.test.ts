import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson, decodeRetractionJson, type Feature } from '@qenus/core'
import { describeSinkConformance } from '@qenus/testkit'
import { consoleSinkOptions } from './options.js'
import { ConsoleSink } from './sink.js'

/** Reads the file back line by line: retraction lines carry `"type":"retraction"`. */
async function readLines(path: string): Promise<{ features: Feature[]; retractedIds: string[] }> {
  const features: Feature[] = []
  const retractedIds: string[] = []
  const text = await readFile(path, 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    if (line === '') continue
    if ((JSON.parse(line) as { type?: string }).type === 'retraction')
      retractedIds.push(...decodeRetractionJson(line).ids)
    else features.push(decodeFeatureJson(line))
  }
  return { features, retractedIds }
}

describeSinkConformance({
  name: '@qenus/sink-console',
  create: async ({ dir }) => {
    const path = join(dir, 'features.jsonl')
    return {
      sink: new ConsoleSink(consoleSinkOptions.parse({ path }), { warn: () => undefined }),
      readBack: () => readLines(path),
    }
  },
})
