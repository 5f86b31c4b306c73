/**
 * Records real Uniswap V3 `Swap` logs from a testkit devnet once, and caches them under
 * `.bench/swaps-v<format>-s<seed>-n<swaps>-b<txPerBlock>-<extractor hash>/` so later runs skip the
 * recording:
 *
 * - `blocks.jsonl`: one block per line, `{ header, logs }` exactly as the node's JSON-RPC returned
 *   them (`eth_getBlockByNumber`, `eth_getLogs` on the Swap topic, in ranges);
 * - `reads.json`: every read the extractor made, by block (today its pool metadata: token0,
 *   token1, fee, decimals), answered by source-rpc's reader against the live devnet while recording;
 * - `meta.json`: what was recorded and how long it took. Written last: its presence marks a
 *   complete recording.
 *
 * Why the reads are cached rather than the devnet kept alive: anvil's `--load-state` restores
 * blocks and logs but not the state at old blocks, so reads bound to a recorded block would fail
 * on a reloaded chain, and regenerating 50,000 swaps takes minutes. A fresh extractor makes the same
 * reads at the same blocks on every replay, so the recorded answers are what the chain would say.
 * The folder name carries a hash of the extractor's built code, so a changed extractor (which may
 * read something new) is recorded again rather than replayed against stale answers.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger, KNOWN_CHAINS } from '@qenus/core'
import uniswapV3 from '@qenus/plugin-uniswap-v3'
import { RpcSource, rpcSourceOptions } from '@qenus/source-rpc'
import { startDevnet } from '@qenus/testkit'

/** Where recordings are cached (gitignored). */
export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '.bench')

/** Bumped when the cached files change shape, so an older cache is recorded again rather than misread. */
const FORMAT = 2

/** The recording the slice bench replays. */
export const DEFAULT_RECORDING = Object.freeze({ seed: 1, swaps: 50_000, txPerBlock: 60 })

/** keccak256 of `Swap(address,address,int256,int256,uint160,uint128,int24)`. */
const SWAP_TOPIC = '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67'
const TRAFFIC_CHUNK = 5_000
const LOG_RANGE = 100n
const HEADER_BATCH = 100

/** A short hash of the built extractor package, which decides the reads a replay needs. */
function extractorHash() {
  const dist = join(dirname(createRequire(import.meta.url).resolve('@qenus/plugin-uniswap-v3')))
  const hash = createHash('sha256')
  const files = readdirSync(dist, { recursive: true }).filter((f) => String(f).endsWith('.js'))
  for (const file of files.map(String).sort()) hash.update(file).update(readFileSync(join(dist, file)))
  return hash.digest('hex').slice(0, 10)
}

/**
 * Loads a recording from the cache, recording it first when it is missing.
 *
 * @param {{ seed: number, swaps: number, txPerBlock: number }} [spec] - @default DEFAULT_RECORDING
 * @returns {Promise<{ dir: string, meta: object, blocks: { header: import('@qenus/core').BlockHeader, logs: import('@qenus/core').Log[] }[], reads: Map<string, import('@qenus/core').MulticallResult> }>}
 */
export async function loadRecording(spec = DEFAULT_RECORDING) {
  const dir = join(CACHE_DIR, `swaps-v${FORMAT}-s${spec.seed}-n${spec.swaps}-b${spec.txPerBlock}-${extractorHash()}`)
  if (!existsSync(join(dir, 'meta.json'))) await record(spec, dir)
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))
  const blocks = readFileSync(join(dir, 'blocks.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { header, logs } = JSON.parse(line)
      return { header: toHeader(header), logs: logs.map(toLog) }
    })
  const reads = new Map(Object.entries(JSON.parse(readFileSync(join(dir, 'reads.json'), 'utf8'), reviveBigInt)))
  return { dir, meta, blocks, reads }
}

/**
 * A ChainReader bound to `header` that answers multicalls from recorded reads. Any read that was
 * not recorded throws, so a replay can never silently differ from the recording.
 *
 * @param {Map<string, import('@qenus/core').MulticallResult>} reads
 * @param {import('@qenus/core').BlockRef} block
 * @returns {import('@qenus/core').ChainReader}
 */
export function replayReader(reads, block) {
  const missing = () => {
    throw new Error('replayReader: only multicall reads are recorded')
  }
  return {
    block,
    call: missing,
    readContract: missing,
    async multicall(calls) {
      return calls.map((call) => {
        const key = readKey(block, call)
        const result = reads.get(key)
        if (result === undefined) {
          throw new Error(`replayReader: read ${key} was not recorded; delete the recording folder to record again`)
        }
        return result.status === 'success' ? result : { status: 'failure', error: new Error(result.error) }
      })
    },
  }
}

async function record(spec, dir) {
  const started = performance.now()
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const devnet = await startDevnet()
  try {
    const from = (await devnet.publicClient.getBlockNumber()) + 1n
    await sendTraffic(devnet, spec)
    const to = await devnet.publicClient.getBlockNumber()
    const blocks = await fetchBlocks(devnet.rpcUrl, from, to)
    const swaps = blocks.reduce((n, block) => n + block.logs.length, 0)
    if (swaps !== spec.swaps) throw new Error(`record: ${spec.swaps} swaps sent but ${swaps} Swap logs found`)
    writeFileSync(join(tmp, 'blocks.jsonl'), blocks.map((block) => `${JSON.stringify(block)}\n`).join(''))
    const reads = await recordReads(devnet.rpcUrl, blocks)
    writeFileSync(join(tmp, 'reads.json'), JSON.stringify(Object.fromEntries(reads), replaceBigInt, 2))
    const meta = { ...spec, fromBlock: String(from), toBlock: String(to), recordMs: performance.now() - started }
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2))
    rmSync(dir, { recursive: true, force: true })
    renameSync(tmp, dir)
    log(`recorded ${swaps} swaps in ${blocks.length} blocks to ${dir} in ${(meta.recordMs / 1000).toFixed(1)} s`)
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true })
    throw error
  } finally {
    await devnet.stop()
  }
}

async function sendTraffic(devnet, { seed, swaps, txPerBlock }) {
  const started = performance.now()
  for (let done = 0, chunk = 0; done < swaps; chunk++) {
    const n = Math.min(TRAFFIC_CHUNK, swaps - done)
    // A seed per chunk keeps the whole recording deterministic for `seed`.
    await devnet.traffic({ seed: `${seed}/${chunk}`, swaps: n, txPerBlock })
    done += n
    log(`record: ${done}/${swaps} swaps sent (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  }
}

async function fetchBlocks(url, from, to) {
  const logs = new Map()
  for (let start = from; start <= to; start += LOG_RANGE) {
    const end = start + LOG_RANGE - 1n < to ? start + LOG_RANGE - 1n : to
    const filter = { fromBlock: hex(start), toBlock: hex(end), topics: [SWAP_TOPIC] }
    for (const entry of await rpc(url, 'eth_getLogs', [filter])) {
      const list = logs.get(entry.blockNumber) ?? []
      list.push(entry)
      logs.set(entry.blockNumber, list)
    }
  }
  const numbers = []
  for (let n = from; n <= to; n++) numbers.push(hex(n))
  const blocks = []
  for (let i = 0; i < numbers.length; i += HEADER_BATCH) {
    const batch = numbers.slice(i, i + HEADER_BATCH).map((n) => ['eth_getBlockByNumber', [n, false]])
    for (const header of await rpcBatch(url, batch)) {
      const { transactions: _omitted, ...rest } = header
      blocks.push({ header: rest, logs: logs.get(header.number) ?? [] })
    }
  }
  return blocks
}

/** Runs the real extractor over the recording with source-rpc's reader, keeping every read. */
async function recordReads(url, blocks) {
  const chain = KNOWN_CHAINS.devnet
  const logger = createLogger({ level: 'warn' })
  const source = new RpcSource(rpcSourceOptions.parse({ providers: [url] }), chain, logger)
  const definition = uniswapV3.components.extractors['uniswap-v3']
  const extractor = new definition.component(definition.options.parse({ emit: ['swap'] }), logger)
  const reads = new Map()
  for (const block of blocks) {
    const header = toHeader(block.header)
    const inner = source.reader(header)
    const reader = {
      ...inner,
      async multicall(calls) {
        const results = await inner.multicall(calls)
        calls.forEach((call, i) => {
          const result = results[i]
          reads.set(
            readKey(header, call),
            result.status === 'success' ? result : { ...result, error: result.error.message },
          )
        })
        return results
      },
    }
    const features = await extractor.onBlock({ chain, header, logs: block.logs.map(toLog), reader })
    if (features.length !== block.logs.length) {
      throw new Error(`record: block ${header.number} has ${block.logs.length} swaps but gave ${features.length}`)
    }
  }
  await source.close?.()
  return reads
}

// Keyed by block: a replay asks for exactly what the recording asked, where it asked it.
function readKey(block, { address, functionName, args }) {
  return `${block.number}:${address.toLowerCase()}.${functionName}(${(args ?? []).join(',')})`
}

/**
 * A JSON-RPC header as the core's BlockHeader.
 *
 * @param {Record<string, string>} raw
 * @returns {import('@qenus/core').BlockHeader}
 */
export function toHeader(raw) {
  return {
    number: BigInt(raw.number),
    hash: raw.hash,
    parentHash: raw.parentHash,
    timestamp: BigInt(raw.timestamp),
    baseFeePerGas: raw.baseFeePerGas === undefined ? undefined : BigInt(raw.baseFeePerGas),
    gasUsed: BigInt(raw.gasUsed),
    gasLimit: BigInt(raw.gasLimit),
  }
}

/**
 * A JSON-RPC log as the core's Log.
 *
 * @param {Record<string, any>} raw
 * @returns {import('@qenus/core').Log}
 */
export function toLog(raw) {
  return {
    address: raw.address.toLowerCase(),
    topics: raw.topics,
    data: raw.data,
    blockNumber: BigInt(raw.blockNumber),
    blockHash: raw.blockHash,
    transactionHash: raw.transactionHash,
    transactionIndex: Number(raw.transactionIndex),
    logIndex: Number(raw.logIndex),
  }
}

async function rpc(url, method, params) {
  const [result] = await rpcBatch(url, [[method, params]])
  return result
}

async function rpcBatch(url, calls) {
  const body = calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`record: ${calls[0][0]} answered HTTP ${response.status}`)
  const replies = await response.json()
  return calls.map((call, id) => {
    const reply = replies.find((r) => r.id === id)
    if (reply === undefined || reply.error) {
      throw new Error(`record: ${call[0]} failed: ${JSON.stringify(reply?.error ?? 'no reply')}`)
    }
    return reply.result
  })
}

const hex = (n) => `0x${n.toString(16)}`
const replaceBigInt = (_key, value) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value)
const reviveBigInt = (_key, value) =>
  value !== null && typeof value === 'object' && typeof value.$bigint === 'string' ? BigInt(value.$bigint) : value
const log = (message) => process.stderr.write(`${message}\n`)
