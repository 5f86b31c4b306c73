import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devnet, startDevnet } from '../devnet.js'
import { type FaultProxy, startFaultProxy } from './proxy.js'

type Log = { address: string; topics: string[]; blockHash: string; blockNumber: string; logIndex: string }

let devnet: Devnet
let proxy: FaultProxy
let last: bigint

/** One raw JSON-RPC exchange through the proxy: HTTP status, headers and body text. */
async function raw(body: unknown, signal?: AbortSignal) {
  const res = await fetch(proxy.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

let nextId = 1
const call = (method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id: nextId++, method, params })
async function rpc<T>(url: string, method: string, params: unknown[] = []) {
  const headers = { 'content-type': 'application/json' }
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(call(method, params)) })
  return (await res.json()) as { result?: T; error?: { code: number; message: string } }
}
const hex = (n: bigint) => `0x${n.toString(16)}`
const allLogs = { fromBlock: '0x0', toBlock: 'latest' }

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 7, swaps: 24, txPerBlock: 3 })
  last = await devnet.publicClient.getBlockNumber()
  proxy = await startFaultProxy(devnet.rpcUrl)
})
afterAll(async () => {
  await proxy?.stop()
  await devnet?.stop()
})

describe('startFaultProxy', () => {
  it('passes calls through unchanged and counts them by method, batch elements one by one', async () => {
    proxy.clear()
    proxy.resetCounts()
    const { text } = await raw([call('eth_blockNumber'), call('eth_chainId'), call('eth_blockNumber')])
    const replies = JSON.parse(text) as { result: string }[]
    expect(replies.map((r) => r.result)).toEqual([hex(last), '0x7a69', hex(last)])
    expect(Object.fromEntries(proxy.calls)).toEqual({ eth_blockNumber: 2, eth_chainId: 1 })
  })

  it('answers 429 with Retry-After after `skip` calls, for `times` calls, for the named method only', async () => {
    proxy.clear()
    proxy.inject({
      fault: { type: 'http-status', status: 429, retryAfterSeconds: 3 },
      methods: ['eth_blockNumber'],
      skip: 1,
      times: 2,
    })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await raw(call('eth_blockNumber'))
      statuses.push(res.status)
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('3')
    }
    expect(statuses).toEqual([200, 429, 429, 200])
    expect((await raw(call('eth_chainId'))).status).toBe(200)
  })

  it('fails a whole batch with 500 when one of its calls matches', async () => {
    proxy.clear()
    proxy.inject({ fault: { type: 'http-status', status: 500 }, methods: ['eth_getBlockByNumber'], times: 1 })
    const res = await raw([call('eth_chainId'), call('eth_getBlockByNumber', ['0x1', false])])
    expect(res.status).toBe(500)
  })

  it('hangs until the client gives up', async () => {
    proxy.clear()
    proxy.inject({ fault: { type: 'hang' }, times: 1 })
    await expect(raw(call('eth_chainId'), AbortSignal.timeout(300))).rejects.toThrow(/abort|timeout/i)
    expect((await raw(call('eth_chainId'))).status).toBe(200)
  })

  it('truncates the JSON body', async () => {
    proxy.clear()
    proxy.inject({ fault: { type: 'truncate' }, methods: ['eth_getBlockByNumber'], times: 1 })
    const { status, text } = await raw(call('eth_getBlockByNumber', [hex(last), false]))
    expect(status).toBe(200)
    expect(() => JSON.parse(text)).toThrow()
    expect(text.length).toBeGreaterThan(100)
  })

  it('answers a wrong chain id, a frozen head and a head behind the node', async () => {
    proxy.clear()
    proxy.inject({ fault: { type: 'chain-id', chainId: 10 } })
    expect((await rpc(proxy.url, 'eth_chainId')).result).toBe('0xa')
    proxy.clear()
    const frozen = proxy.inject({ fault: { type: 'freeze-head' } })
    expect((await rpc(proxy.url, 'eth_blockNumber')).result).toBe(hex(last))
    await devnet.mine(2)
    expect((await rpc(proxy.url, 'eth_blockNumber')).result).toBe(hex(last))
    frozen.remove()
    expect((await rpc(proxy.url, 'eth_blockNumber')).result).toBe(hex(last + 2n))
    proxy.inject({ fault: { type: 'head-behind', blocks: 5 } })
    expect((await rpc(proxy.url, 'eth_blockNumber')).result).toBe(hex(last - 3n))
  })

  it('applies the head faults to the latest block too', async () => {
    proxy.clear()
    const latest = () => rpc<{ number: string; hash: string }>(proxy.url, 'eth_getBlockByNumber', ['latest', false])
    const top = BigInt((await rpc<string>(devnet.rpcUrl, 'eth_blockNumber')).result!)
    const frozen = proxy.inject({ fault: { type: 'freeze-head' } })
    expect((await latest()).result?.number).toBe(hex(top))
    await devnet.mine(1)
    expect((await latest()).result?.number).toBe(hex(top))
    frozen.remove()
    proxy.inject({ fault: { type: 'head-behind', blocks: 5 } })
    const behind = (await rpc<{ hash: string }>(devnet.rpcUrl, 'eth_getBlockByNumber', [hex(top - 4n), false])).result
    expect((await latest()).result).toEqual(behind)
  })

  it('rewrites the block hash of a log, or drops the last log that is alone of its kind in its block', async () => {
    proxy.clear()
    const node = (await rpc<Log[]>(devnet.rpcUrl, 'eth_getLogs', [allLogs])).result!
    expect(node.length).toBeGreaterThan(20)
    proxy.inject({ fault: { type: 'log-block-hash' }, times: 1 })
    const rewritten = (await rpc<Log[]>(proxy.url, 'eth_getLogs', [allLogs])).result!
    expect(rewritten[0]?.blockHash).toBe(`0x${'ee'.repeat(32)}`)
    expect(rewritten.slice(1)).toEqual(node.slice(1))
    proxy.inject({ fault: { type: 'drop-log' }, times: 1 })
    const dropped = (await rpc<Log[]>(proxy.url, 'eth_getLogs', [allLogs])).result!
    expect(dropped).toHaveLength(node.length - 1)
    const missing = node.find(
      (log) => !dropped.some((d) => d.blockHash === log.blockHash && d.logIndex === log.logIndex),
    )!
    const sameKind = node.filter(
      (l) => l.blockHash === missing.blockHash && l.address === missing.address && l.topics[0] === missing.topics[0],
    )
    expect(sameKind).toEqual([missing])
  })

  it('fails eth_getLogs over too many blocks or with too many results with -32005, and nothing else', async () => {
    proxy.clear()
    proxy.inject({ fault: { type: 'range-limit', maxBlocks: 10 } })
    const wide = await rpc(proxy.url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: hex(last) }])
    expect(wide.error).toMatchObject({ code: -32005 })
    const narrow = await rpc<Log[]>(proxy.url, 'eth_getLogs', [{ fromBlock: hex(last - 9n), toBlock: hex(last) }])
    expect(narrow.result).toBeInstanceOf(Array)
    proxy.clear()
    proxy.inject({ fault: { type: 'response-limit', maxLogs: 12 } })
    expect((await rpc(proxy.url, 'eth_getLogs', [allLogs])).error).toEqual({
      code: -32005,
      message: 'query returned more than 12 results',
    })
    const one = await rpc<Log[]>(proxy.url, 'eth_getLogs', [{ fromBlock: hex(last), toBlock: hex(last) }])
    expect(one.result!.length).toBeLessThanOrEqual(12)
    proxy.inject({ fault: { type: 'rpc-error', code: -32603, message: 'boom' }, methods: ['eth_gasPrice'] })
    expect((await rpc(proxy.url, 'eth_gasPrice')).error).toEqual({ code: -32603, message: 'boom' })
    expect((await rpc(proxy.url, 'eth_chainId')).result).toBe('0x7a69')
  })
})
