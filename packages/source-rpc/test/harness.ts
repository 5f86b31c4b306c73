import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type CompiledContract,
  compileSolidity,
  compileTestContracts,
  MULTICALL3_ADDRESS,
  spawnAnvil,
} from '@qenus/testkit'
import { createPublicClient, createWalletClient, type Hex, http, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'

/** anvil's first default account. */
export const DEV_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
/** Where the testkit places its Multicall3-compatible contract. */
export const MULTICALL3: Hex = MULTICALL3_ADDRESS

export interface Anvil {
  url: string
  /** Raw JSON-RPC, independent of the source under test. */
  rpc: <T = unknown>(method: string, params?: unknown[]) => Promise<T>
  client: PublicClient
  stop: () => Promise<void>
}

/** Spawns anvil on a free loopback port (through the testkit, so its state files are cleaned up); resolves once it answers. */
export async function startAnvil(args: string[] = []): Promise<Anvil> {
  const anvil = await spawnAnvil(args)
  const url = `http://127.0.0.1:${anvil.port}`
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    const body = (await res.json()) as { result?: T; error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result as T
  }
  return { url, rpc, client: createPublicClient({ transport: http(url) }), stop: anvil.stop }
}

type RpcCall = { id: unknown; method: string; params: unknown[] }
type RpcReply = { id: unknown; result?: unknown; error?: unknown }

/**
 * A loopback HTTP proxy in front of `target` that counts the JSON-RPC requests by method and
 * lets a test rewrite replies (a stale head, say), so faults travel over real HTTP.
 */
export async function startCountingProxy(target: string) {
  const counts = new Map<string, number>()
  const bodies: RpcCall[] = []
  const state: { rewrite?: ((call: RpcCall, reply: RpcReply) => RpcReply) | undefined } = {}
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString()
      const parsed = JSON.parse(body) as RpcCall | RpcCall[]
      const calls = Array.isArray(parsed) ? parsed : [parsed]
      for (const call of calls) {
        counts.set(call.method, (counts.get(call.method) ?? 0) + 1)
        bodies.push(call)
      }
      const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      let reply = (await upstream.json()) as RpcReply | RpcReply[]
      const rewrite = state.rewrite
      if (rewrite) {
        const byId = new Map(calls.map((c) => [c.id, c]))
        const fix = (r: RpcReply) => rewrite(byId.get(r.id)!, r)
        reply = Array.isArray(reply) ? reply.map(fix) : fix(reply)
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(reply))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    counts,
    bodies,
    state,
    reset: () => {
      counts.clear()
      bodies.length = 0
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const SOURCES = {
  'Emitter.sol': `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
/// Test-only contract: emits events on demand and exposes views for reads.
contract Emitter {
  event Ping(uint256 indexed id, address indexed from, bytes data);
  event Pong(uint256 value);
  mapping(uint256 => uint256) public values;
  function ping(uint256 id, bytes calldata data) external { emit Ping(id, msg.sender, data); emit Pong(id * 2); }
  function pong(uint256 value) external { values[value] = value * 3; emit Pong(value); }
  function triple(uint256 x) external pure returns (uint256) { return x * 3; }
  function fail() external pure returns (uint256) { revert("nope"); }
}`,
}

/** Compiles the test-only Emitter (cached by the testkit) and returns it with the testkit's Multicall3. */
export async function compile(): Promise<Record<'Emitter' | 'Multicall3', CompiledContract>> {
  const [{ Emitter }, { Multicall3 }] = await Promise.all([compileSolidity(SOURCES), compileTestContracts()])
  return { Emitter: Emitter!, Multicall3 }
}

/** A wallet on anvil's first account. */
export function wallet(anvil: Anvil) {
  return createWalletClient({ account: privateKeyToAccount(DEV_KEY), transport: http(anvil.url), chain: foundry })
}

type RpcBlock = { number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex; gasUsed: Hex; gasLimit: Hex }
type RpcLog = Record<'address' | 'data' | 'blockNumber' | 'blockHash' | 'transactionHash', Hex> & {
  topics: Hex[]
  transactionIndex: Hex
  logIndex: Hex
}

/** A block as the node reports it, in the source's shape (only fields that have one meaning). */
export async function nodeBlock(anvil: Anvil, number: bigint) {
  const b = await anvil.rpc<RpcBlock>('eth_getBlockByNumber', [`0x${number.toString(16)}`, false])
  return {
    number: BigInt(b.number),
    hash: b.hash,
    parentHash: b.parentHash,
    timestamp: BigInt(b.timestamp),
    gasUsed: BigInt(b.gasUsed),
    gasLimit: BigInt(b.gasLimit),
  }
}

/** Converts a raw JSON-RPC log to the source's `Log` shape. */
export function fromRpcLog(log: RpcLog) {
  return {
    address: log.address.toLowerCase(),
    topics: log.topics,
    data: log.data,
    blockNumber: BigInt(log.blockNumber),
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: Number(log.transactionIndex),
    logIndex: Number(log.logIndex),
  }
}

/** The node's logs for each filter on its own, merged and ordered: what the source must emit. */
export async function nodeLogs(
  anvil: Anvil,
  from: bigint,
  to: bigint,
  filters: { address?: Hex | Hex[]; topics?: (Hex | Hex[] | null)[] }[],
) {
  const hex = (n: bigint) => `0x${n.toString(16)}`
  const all = new Map<string, ReturnType<typeof fromRpcLog>>()
  for (const filter of filters) {
    const logs = await anvil.rpc<RpcLog[]>('eth_getLogs', [{ fromBlock: hex(from), toBlock: hex(to), ...filter }])
    for (const log of logs) all.set(`${log.blockHash}:${Number(log.logIndex)}`, fromRpcLog(log))
  }
  return [...all.values()].sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex)
}

/** Every log of a block from its transactions' receipts. */
export async function receiptLogs(anvil: Anvil, number: bigint) {
  const block = await anvil.rpc<{ transactions: Hex[] }>('eth_getBlockByNumber', [`0x${number.toString(16)}`, false])
  const receipts = await Promise.all(
    block.transactions.map((tx) => anvil.rpc<{ logs: RpcLog[] }>('eth_getTransactionReceipt', [tx])),
  )
  return receipts.flatMap((r) => r.logs.map(fromRpcLog))
}
