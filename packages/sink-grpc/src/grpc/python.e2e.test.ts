import { execFile, execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { protoIncludeDirs } from '@qenus/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEVNET, fold, type SinkHarness, startSink, stateBatches } from '../test/helpers.js'

// Debian's grpcio lives in the system Python, not in whichever python3 comes first on PATH.
const PYTHON = '/usr/bin/python3'
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'interop.py')

let dir: string
let h: SinkHarness
const batches = stateBatches(DEVNET, 100n, 30, { pools: 10, perBlock: 4 })

/** Generates Python classes from .proto files with grpc_tools' protoc (a 3.5 protoc in Debian). */
function protoc(includes: string[], files: string[]): void {
  const args = ['-m', 'grpc_tools.protoc', ...includes.map((i) => `-I${i}`), `--python_out=${dir}`, ...files]
  execFileSync(PYTHON, args, { stdio: 'pipe' })
}

/**
 * Debian's protoc predates proto3 `optional`, which is defined as a one-field oneof named `_field`:
 * this writes that form, identical on the wire, so the old compiler reads the same schema.
 */
function forOldProtoc(name: string): void {
  const text = readFileSync(join(protoIncludeDirs()[0]!, name), 'utf8')
  const rewritten = text.replace(/^(\s*)optional (\S+) (\w+) = (\d+)(.*);/gm, '$1oneof _$3 { $2 $3 = $4$5; }')
  mkdirSync(dirname(join(dir, 'src', name)), { recursive: true })
  writeFileSync(join(dir, 'src', name), rewritten)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qenus-grpc-py-'))
  const wellKnown = execFileSync(PYTHON, [
    '-c',
    'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))',
  ])
    .toString()
    .trim()
  const files = ['qenus/v1/features.proto', 'qenus/v1/dataplane.proto']
  for (const name of files) forOldProtoc(name)
  protoc([join(dir, 'src'), wellKnown], files)
  const require = createRequire(import.meta.url)
  const reflection = join(
    dirname(require.resolve('@grpc/reflection/package.json')),
    'build/proto/grpc/reflection/v1/reflection.proto',
  )
  mkdirSync(join(dir, 'qenus_reflection'))
  copyFileSync(reflection, join(dir, 'qenus_reflection', 'reflection.proto'))
  protoc([dir], ['qenus_reflection/reflection.proto'])
  h = await startSink()
  for (const b of batches) await h.push(b)
})

afterAll(async () => {
  await h?.sink.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface PythonView {
  heads: { chain: string; chainId: string; head: string }[]
  snapshot: {
    block: string
    hash: string
    features: { id: string; kind: string; reserves: string[]; liquidity: string }[]
  }
  outOfRange: { code: string; details: string }
  streamIds: string[]
}

/** Runs the Python client; asynchronously, since the server it calls lives in this process. */
async function python(mode: 'proto' | 'reflection', from: bigint, last: bigint, at: bigint): Promise<PythonView> {
  const args = [SCRIPT, mode, h.sink.target, dir, String(from), String(last), String(at)]
  const { stdout } = await promisify(execFile)(PYTHON, args, { timeout: 30_000 })
  return JSON.parse(stdout)
}

describe.each(['proto', 'reflection'] as const)("Python's grpcio through %s", (mode) => {
  it('reads heads, an exact snapshot, OUT_OF_RANGE and a replayed stream', async () => {
    const view = await python(mode, 110n, 129n, 120n)
    expect(view.heads).toEqual([{ chain: 'devnet', chainId: '31337', head: '129' }])
    const features = batches.flatMap((b) => b.features)
    const state = features.filter((f) => f.kind === 'amm.pool' || f.kind === 'gas.block')
    expect(view.snapshot.block).toBe('120')
    expect(view.snapshot.hash).toBe(batches[20]!.block.hash)
    expect(view.snapshot.features.map((f) => f.id)).toEqual(fold(state, 120n))
    for (const got of view.snapshot.features.filter((f) => f.kind === 'amm.pool')) {
      const expected = features.find((f) => f.id === got.id)
      if (expected?.kind !== 'amm.pool') throw new Error(`no pool feature ${got.id}`)
      expect(got.reserves).toEqual(expected.data.reserves.map(String))
      expect(got.liquidity).toBe(String(expected.data.liquidity))
    }
    expect(view.outOfRange.code).toBe('OUT_OF_RANGE')
    expect(view.outOfRange.details).toBe('block 1 of chain devnet is outside the retained window 100..129')
    expect(view.streamIds).toEqual(
      features.filter((f) => f.kind.startsWith('amm.') && f.blockNumber >= 110n).map((f) => f.id),
    )
  })
})
