import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson, type Hex } from '@qenus/core'
import type { ArchiveBlock } from './archive.js'

/** The spool of one chain: the blocks not in a Parquet file yet. @internal */
export function spoolPath(root: string, chain: string): string {
  return join(root, '_spool', `${chain}.jsonl`)
}

/**
 * Serializes blocks for the spool: per block, a header line then one line per feature in core's
 * JSON codec (exact bigints).
 *
 * @internal
 */
export function serializeBlocks(blocks: readonly ArchiveBlock[]): string {
  let text = ''
  for (const block of blocks) {
    text += `{"block":"${block.number}","hash":"${block.hash}","timestamp":"${block.timestamp}","count":${block.lines.length}}\n`
    for (const line of block.lines) text += `${line}\n`
  }
  return text
}

interface Header {
  block: string
  hash: Hex
  timestamp: string
  count: number
}

/**
 * Reads a spool back. A crash during an append can leave a torn last block; it is dropped, as
 * its flush never completed and the pipeline writes it again.
 *
 * @internal
 */
export async function readSpool(path: string): Promise<ArchiveBlock[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''
    throw error
  })
  const lines = text.split('\n')
  const blocks: ArchiveBlock[] = []
  let i = 0
  while (i < lines.length && lines[i] !== '') {
    const header = tryParse<Header>(lines[i]!)
    const body = lines.slice(i + 1, i + 1 + (header?.count ?? 0))
    // The final element of split() is '' when the file ends with a newline: a whole last line.
    if (!header || i + 1 + header.count >= lines.length) break
    try {
      const features = body.map((line) => decodeFeatureJson(line))
      blocks.push({
        number: BigInt(header.block),
        hash: header.hash,
        timestamp: BigInt(header.timestamp),
        features,
        lines: body,
      })
    } catch {
      break
    }
    i += 1 + header.count
  }
  return blocks
}

function tryParse<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T
  } catch {
    return undefined
  }
}
