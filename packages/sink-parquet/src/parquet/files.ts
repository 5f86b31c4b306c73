import { readdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type FeatureKind, syncDir } from '@qenus/core'

/** A part file of the archive, parsed from its path. @internal */
export interface PartFile {
  /** Absolute path. */
  path: string
  /** Feature kind (the `kind=` folder). */
  kind: FeatureKind
  /** Chain name (the `chain=` folder). */
  chain: string
  /** `YYYY-MM-DD` (the `date=` folder). */
  date: string
  /** First block of the file. */
  firstBlock: bigint
  /** Last block of the file. */
  lastBlock: bigint
}

const PART = /^part-(\d+)-(\d+)\.parquet$/
const TEMP = /^\.part-.*\.tmp$/

/** The UTC date of a block timestamp (seconds), `YYYY-MM-DD`. @internal */
export function utcDate(timestamp: bigint): string {
  return new Date(Number(timestamp) * 1000).toISOString().slice(0, 10)
}

/** The folder of one partition. @internal */
export function partitionDir(root: string, kind: string, chain: string, date: string): string {
  return join(root, `kind=${kind}`, `chain=${chain}`, `date=${date}`)
}

/** The path of a part file. @internal */
export function partPath(root: string, kind: string, chain: string, date: string, first: bigint, last: bigint): string {
  return join(partitionDir(root, kind, chain, date), `part-${first}-${last}.parquet`)
}

async function entries(dir: string, prefix: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[]
    throw error
  })
  return names.filter((name) => name.startsWith(prefix))
}

/**
 * Lists the part files of one chain, in every kind and date, ordered by first block; deletes
 * leftover temp files of an interrupted write on the way.
 *
 * @internal
 */
export async function listChainParts(root: string, chain: string): Promise<PartFile[]> {
  const parts: PartFile[] = []
  for (const kindDir of await entries(root, 'kind=')) {
    const chainDir = join(root, kindDir, `chain=${chain}`)
    for (const dateDir of await entries(chainDir, 'date=')) {
      const dir = join(chainDir, dateDir)
      for (const name of await entries(dir, '')) {
        if (TEMP.test(name)) await rm(join(dir, name), { force: true })
        const match = PART.exec(name)
        if (!match) continue
        parts.push({
          path: join(dir, name),
          kind: kindDir.slice('kind='.length) as FeatureKind,
          chain,
          date: dateDir.slice('date='.length),
          firstBlock: BigInt(match[1]!),
          lastBlock: BigInt(match[2]!),
        })
      }
    }
  }
  return parts.sort((a, b) => (a.firstBlock < b.firstBlock ? -1 : a.firstBlock > b.firstBlock ? 1 : 0))
}

/** Deletes a part file and makes the deletion durable. @internal */
export async function removeDurable(path: string): Promise<void> {
  await rm(path, { force: true })
  await syncDir(dirname(path))
}
