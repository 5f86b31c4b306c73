import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const BIN = join(REPO, 'packages/cli/dist/bin.js')

/** A temp folder inside the repository, so `@qenus/*` names resolve from it as from a user's project. */
export async function tempDir(prefix: string): Promise<string> {
  const base = join(REPO, '.qenus', 'test')
  await mkdir(base, { recursive: true })
  return mkdtemp(join(base, `${prefix}-`))
}

/** One pipeline run's files. */
export interface Run {
  config: string
  out: string
  checkpoint: string
}

/** Writes a `qenus` config: the given source, Uniswap V3 and gas extractors, a console sink into a file. */
export async function prepare(dir: string, source: Record<string, unknown>, extra: object = {}): Promise<Run> {
  await mkdir(dir, { recursive: true })
  const out = join(dir, 'features.jsonl')
  const config = join(dir, 'qenus.config.json')
  await writeFile(
    config,
    JSON.stringify({
      name: 'e2e',
      chains: { devnet: { chainId: 31337, source } },
      extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }, { use: '@qenus/plugin-gas' }],
      sinks: [{ use: '@qenus/sink-console', path: out }],
      checkpoint: { dir: join(dir, 'checkpoints') },
      server: { port: false },
      ...extra,
    }),
  )
  return { config, out, checkpoint: join(dir, 'checkpoints', 'e2e.devnet.json') }
}

/** The block a run last checkpointed. */
export async function checkpointed(run: Run): Promise<{ number: bigint; hash: string } | undefined> {
  const text = await readFile(run.checkpoint, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const { block } = JSON.parse(text) as { block: { number: string; hash: string } }
  return { number: BigInt(block.number), hash: block.hash }
}

/** A `qenus` process. */
export interface RunningCli {
  child: ChildProcess
  exited: Promise<{ code: number | null; stderr: string }>
}

const running = new Set<ChildProcess>()

/** Starts the built `qenus` with `args`. */
export function startCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  running.add(child)
  const exited = new Promise<{ code: number | null; stderr: string }>((done, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      running.delete(child)
      done({ code, stderr })
    })
  })
  return { child, exited }
}

/** Kills every `qenus` still running (a failed assertion must not leave strays). */
export function killStrays(): void {
  for (const child of running) child.kill('SIGKILL')
}

/** Polls `check` every 25 ms until it holds, or fails naming `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
