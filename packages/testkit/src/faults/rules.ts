import type { Fault, FaultRule, ProxiedCall, ProxiedLog, ProxiedReply } from './types.js'

/** The one method a reply-rewriting fault rewrites (the head faults also rewrite a latest-block call). */
const OWN_METHOD: Partial<Record<Fault['type'], string>> = {
  'chain-id': 'eth_chainId',
  'freeze-head': 'eth_blockNumber',
  'head-behind': 'eth_blockNumber',
  'log-block-hash': 'eth_getLogs',
  'drop-log': 'eth_getLogs',
  'range-limit': 'eth_getLogs',
  'response-limit': 'eth_getLogs',
}

/**
 * What a fault does to one exchange: break the HTTP reply, rewrite one call's reply, or answer
 * one call with the upstream's answer to another call.
 */
export type FaultEffect = { http: Fault } | { reply: ProxiedReply } | { instead: { method: string; params: unknown[] } }

/** Whether `call` asks for the latest block, which tells the head as well as `eth_blockNumber` does. */
const isLatestBlock = (call: ProxiedCall): boolean =>
  call.method === 'eth_getBlockByNumber' && call.params[0] === 'latest'

const hex = (n: bigint): string => `0x${n.toString(16)}`

/**
 * A rule in force: counts the calls it matches and turns them into effects.
 *
 * @internal
 */
export class ActiveRule {
  seen = 0
  applied = 0
  removed = false
  readonly #frozen = new Map<string, unknown>()

  constructor(readonly rule: FaultRule) {}

  /** The effect on `call` (whose upstream reply is `reply`), or `undefined` when the rule does not apply. */
  apply(call: ProxiedCall, reply: ProxiedReply): FaultEffect | undefined {
    const { fault, methods, skip = 0, times = Number.POSITIVE_INFINITY } = this.rule
    if (this.removed) return undefined
    const own = OWN_METHOD[fault.type]
    const head = fault.type === 'freeze-head' || fault.type === 'head-behind'
    if (own !== undefined && call.method !== own && !(head && isLatestBlock(call))) return undefined
    if (methods && !methods.includes(call.method)) return undefined
    if (!this.#relevant(call, reply)) return undefined
    this.seen++
    if (this.seen <= skip || this.applied >= times) return undefined
    this.applied++
    return this.#effect(call, reply)
  }

  #relevant(call: ProxiedCall, reply: ProxiedReply): boolean {
    const { fault } = this.rule
    if (fault.type === 'range-limit') return rangeOf(call) > fault.maxBlocks
    if (fault.type === 'response-limit') return Array.isArray(reply.result) && reply.result.length > fault.maxLogs
    if (fault.type === 'log-block-hash') return Array.isArray(reply.result) && reply.result.length > 0
    if (fault.type === 'drop-log') return Array.isArray(reply.result) && pickDrop(fault, reply.result) >= 0
    return reply.error === undefined
  }

  #effect(call: ProxiedCall, reply: ProxiedReply): FaultEffect {
    const { fault } = this.rule
    const error = (code: number, message: string): FaultEffect => ({ reply: { id: call.id, error: { code, message } } })
    const result = (value: unknown): FaultEffect => ({ reply: { id: call.id, result: value } })
    switch (fault.type) {
      case 'http-status':
      case 'hang':
      case 'truncate':
        return { http: fault }
      case 'rpc-error':
        return error(fault.code, fault.message)
      case 'chain-id':
        return result(hex(BigInt(fault.chainId)))
      case 'freeze-head':
        if (!this.#frozen.has(call.method)) this.#frozen.set(call.method, reply.result)
        return result(this.#frozen.get(call.method))
      case 'head-behind': {
        const latest = call.method === 'eth_blockNumber' ? reply.result : (reply.result as { number: string }).number
        const number = BigInt(latest as string) - BigInt(fault.blocks)
        const behind = hex(number < 0n ? 0n : number)
        if (call.method === 'eth_blockNumber') return result(behind)
        return { instead: { method: call.method, params: [behind, ...call.params.slice(1)] } }
      }
      case 'log-block-hash': {
        const [first, ...rest] = reply.result as ProxiedLog[]
        return result([{ ...first, blockHash: `0x${'ee'.repeat(32)}` }, ...rest])
      }
      case 'drop-log': {
        const logs = reply.result as ProxiedLog[]
        const drop = pickDrop(fault, logs)
        return result(logs.filter((_, i) => i !== drop))
      }
      case 'range-limit':
        return error(-32005, `query exceeds max block range ${fault.maxBlocks}`)
      case 'response-limit':
        return error(-32005, `query returned more than ${fault.maxLogs} results`)
    }
  }
}

/** Blocks an `eth_getLogs` call spans (1 for a `blockHash` query). */
function rangeOf(call: ProxiedCall): number {
  const filter = (call.params[0] ?? {}) as { fromBlock?: string; toBlock?: string; blockHash?: string }
  if (filter.blockHash || !filter.fromBlock?.startsWith('0x') || !filter.toBlock?.startsWith('0x')) return 1
  return Number(BigInt(filter.toBlock) - BigInt(filter.fromBlock)) + 1
}

function pickDrop(fault: Extract<Fault, { type: 'drop-log' }>, logs: ProxiedLog[]): number {
  if (fault.pick) return fault.pick(logs)
  const key = (log: ProxiedLog) => `${log.blockHash}:${log.address.toLowerCase()}:${log.topics[0]}`
  const counts = new Map<string, number>()
  for (const log of logs) counts.set(key(log), (counts.get(key(log)) ?? 0) + 1)
  for (let i = logs.length - 1; i >= 0; i--) if (counts.get(key(logs[i]!)) === 1) return i
  return -1
}
