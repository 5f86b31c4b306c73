import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
const BIN = join(REPO, 'packages/cli/dist/bin.js')

/** A temp folder inside the repository, so `@qenus/*` names resolve from it as from a user's project. */
export async function tempDir(prefix: string): Promise<string> {
  const base = join(REPO, '.qenus', 'test')
  await mkdir(base, { recursive: true })
  return mkdtemp(join(base, `${prefix}-`))
}

/** A running `qenus` process. */
export interface RunningCli {
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>
}

const running = new Set<ChildProcess>()

/** Starts the built `qenus` CLI. */
export function startCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c) => {
    stdout += c
  })
  child.stderr?.on('data', (c) => {
    stderr += c
  })
  running.add(child)
  const exited = new Promise<Awaited<RunningCli['exited']>>((done, fail) => {
    child.on('error', fail)
    child.on('close', (code, signal) => {
      running.delete(child)
      done({ code, signal, stdout, stderr })
    })
  })
  return { child, exited }
}

/** Kills every `qenus` a test left running. */
export function killStrays(): void {
  for (const child of running) child.kill('SIGKILL')
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
