import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Abi, Hex } from 'viem'

/** A compiled contract: its ABI and creation bytecode. */
export interface CompiledContract {
  /** Contract ABI. */
  abi: Abi
  /** Creation bytecode, 0x-prefixed. */
  bytecode: Hex
  /** Runtime bytecode, 0x-prefixed. */
  deployedBytecode: Hex
}

/** Options of {@link compileSolidity}. */
export interface CompileOptions {
  /**
   * Where compiled output is cached, keyed by a hash of the sources and compiler settings.
   * @default `$QENUS_TESTKIT_CACHE_DIR`, else `<cwd>/node_modules/.cache/qenus-testkit`, else the OS temp dir
   */
  cacheDir?: string | undefined
}

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
}

/** The cache folder used when none is given. */
export function defaultCacheDir(): string {
  const fromEnv = process.env['QENUS_TESTKIT_CACHE_DIR']
  if (fromEnv) return fromEnv
  const modules = join(process.cwd(), 'node_modules')
  return existsSync(modules) ? join(modules, '.cache', 'qenus-testkit') : join(tmpdir(), 'qenus-testkit-cache')
}

/**
 * Compiles Solidity sources with npm `solc`, caching the result on disk so later runs skip the
 * compiler (loading solc alone takes about a second).
 *
 * @param sources - File name to Solidity source text.
 * @returns Contract name to its ABI and bytecode.
 * @example
 * ```ts
 * import { compileSolidity } from '@qenus/testkit'
 * const { Counter } = await compileSolidity({ 'Counter.sol': 'pragma solidity ^0.8.20; contract Counter {}' })
 * ```
 */
export async function compileSolidity(
  sources: Record<string, string>,
  options: CompileOptions = {},
): Promise<Record<string, CompiledContract>> {
  const solcVersion = createRequire(import.meta.url)('solc/package.json').version as string
  const key = createHash('sha256').update(JSON.stringify({ sources, SETTINGS, solcVersion })).digest('hex').slice(0, 32)
  const dir = options.cacheDir ?? defaultCacheDir()
  const file = join(dir, `solc-${key}.json`)
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8'))
  const compiled = runSolc(sources)
  await mkdir(dir, { recursive: true })
  // Parallel test workers, and concurrent calls in one worker, may compile at once: each writes
  // its own temp file, then renames it atomically.
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`
  await writeFile(temp, JSON.stringify(compiled))
  await rename(temp, file)
  return compiled
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >
}

function runSolc(sources: Record<string, string>): Record<string, CompiledContract> {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: SETTINGS,
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new Error(
      `solc failed to compile ${Object.keys(sources).join(', ')}:\n${errors.map((e) => e.formattedMessage).join('\n')}`,
    )
  }
  const result: Record<string, CompiledContract> = {}
  for (const file of Object.values(output.contracts)) {
    for (const [name, c] of Object.entries(file)) {
      result[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      }
    }
  }
  return result
}
