import { spawn } from 'node:child_process'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
/** The built CLI entry point. */
export const BIN = join(REPO, 'packages/cli/dist/bin.js')

/** A temp folder inside the repository, so package names resolve from it as from a user's project. */
export async function tempDir(prefix: string): Promise<string> {
  const base = join(REPO, '.qenus', 'test')
  await mkdir(base, { recursive: true })
  return mkdtemp(join(base, `${prefix}-`))
}

/** What a finished `qenus` process left. */
export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the built `qenus` with `args` in `cwd` and waits for it to exit. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startCli(args, options).exited
}

/** A `qenus` process left running. */
export interface RunningCli {
  child: import('node:child_process').ChildProcess
  /** Resolves with the exit code and signal once the process ended. */
  exited: Promise<CliResult>
}

const running = new Set<import('node:child_process').ChildProcess>()

/** Kills every `qenus` a test started and left running (a failed assertion must not leave strays). */
export function killStrays(): void {
  for (const child of running) child.kill('SIGKILL')
}

/** Starts the built `qenus` with `args` and returns at once. */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  running.add(child)
  child.on('exit', () => running.delete(child))
  const exited = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }))
  })
  return { child, exited }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolvePromise, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
