import { createReadStream } from 'node:fs'
import { open, rename, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { BlockRef } from '@qenus/core'

// Feature lines start with the envelope in codec order, so chain and block sit in a fixed place.
const FEATURE_PREFIX = /^\{"id":"[^"]*","kind":"[^"]*","chainId":\d+,"chain":"([^"]*)","blockNumber":"?(\d+)/

/**
 * Drops the feature lines a restarted pipeline is about to write again: those of blocks above
 * their chain's checkpoint, and every line of a chain that has no checkpoint (it starts over).
 * Retraction lines stay: withdrawing ids twice changes nothing for a reader. The file is
 * rewritten through a temp file and a rename, so a crash leaves either version whole.
 *
 * @param path - The sink's file.
 * @param chains - Names of the chains whose lines this pipeline owns.
 * @param resume - Checkpoints by chain name.
 * @returns How many lines were dropped.
 * @internal
 */
export async function dropReplayedLines(
  path: string,
  chains: ReadonlySet<string>,
  resume: ReadonlyMap<string, BlockRef>,
): Promise<number> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  )
  if (size === 0) return 0
  const kept: string[] = []
  let dropped = 0
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === '') continue
    if (isReplayed(line, chains, resume)) dropped++
    else kept.push(line)
  }
  if (dropped > 0) await replace(path, kept)
  return dropped
}

function isReplayed(line: string, chains: ReadonlySet<string>, resume: ReadonlyMap<string, BlockRef>): boolean {
  const match = FEATURE_PREFIX.exec(line)
  if (!match || !chains.has(match[1]!)) return false
  const checkpoint = resume.get(match[1]!)
  return checkpoint === undefined || BigInt(match[2]!) > checkpoint.number
}

async function replace(path: string, lines: string[]): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  const file = await open(temp, 'w')
  try {
    await file.writeFile(lines.length > 0 ? `${lines.join('\n')}\n` : '')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
}
