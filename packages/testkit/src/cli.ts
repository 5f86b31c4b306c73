import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'

/** How to start the `qenus` CLI. */
export interface QenusOptions {
  /**
   * Working folder of the process: package names in a config resolve from it.
   * @default process.cwd()
   */
  cwd?: string
  /** Variables added to the test process's environment. */
  env?: NodeJS.ProcessEnv
  /**
   * Path of the CLI's entry script.
   * @default the `qenus` bin of the `@qenus/cli` found from `cwd`, else from the test kit
   */
  bin?: string
  /**
   * Start it as the leader of a process group of its own, as a shell starts a foreground job, so
   * `process.kill(-child.pid, 'SIGINT')` is what Ctrl-C in a terminal sends: a signal to it and to
   * every process it started that stayed in its group.
   * @default false
   */
  group?: boolean
}

/** What a finished `qenus` process left. */
export interface QenusResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A `qenus` process left running. */
export interface RunningQenus {
  child: ChildProcess
  /** Resolves once the process ended and its output closed. */
  exited: Promise<QenusResult>
}

const running = new Set<ChildProcess>()

/** The package.json of `@qenus/cli` as seen from `from`, or undefined where it does not resolve. */
function cliManifest(from: string): string | undefined {
  try {
    return createRequire(from).resolve('@qenus/cli/package.json')
  } catch {
    return undefined
  }
}

/**
 * Finds the entry script of the `qenus` command: the `bin.qenus` of the `@qenus/cli` that resolves from
 * `cwd` (a user's project), else from the test kit itself. The kit does not depend on the CLI, so a
 * project that runs it must have `@qenus/cli` installed.
 *
 * @param cwd - Folder to resolve `@qenus/cli` from first (default: `process.cwd()`).
 * @returns The absolute path of the script.
 * @throws Error naming the folders searched when `@qenus/cli` is not installed.
 */
export function resolveQenusBin(cwd = process.cwd()): string {
  const manifest = cliManifest(join(resolve(cwd), 'noop.js')) ?? cliManifest(import.meta.url)
  if (manifest === undefined) {
    throw new Error(
      `@qenus/testkit: cannot find @qenus/cli from ${resolve(cwd)} or from the test kit; install @qenus/cli or pass the bin option`,
    )
  }
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }
  const entry = typeof bin === 'string' ? bin : bin?.qenus
  if (entry === undefined) throw new Error(`@qenus/testkit: ${manifest} has no "qenus" bin`)
  return join(dirname(manifest), entry)
}

/**
 * Starts the `qenus` CLI with `args` in a child process of this Node and returns at once. Its stdout
 * and stderr are collected; {@link killStrays} kills it if a test leaves it running.
 *
 * @param args - Command line after `qenus`, e.g. `['run', '--config', path]`.
 * @param options - Working folder, extra environment, entry script.
 * @returns The process and a promise of its result.
 * @example
 * ```ts
 * const cli = startQenus(['run', '--config', config])
 * await waitFor('a checkpoint', () => existsSync(checkpoint))
 * cli.child.kill('SIGTERM')
 * expect((await cli.exited).code).toBe(0)
 * ```
 */
export function startQenus(args: string[], options: QenusOptions = {}): RunningQenus {
  const cwd = options.cwd ?? process.cwd()
  const child = spawn(process.execPath, [options.bin ?? resolveQenusBin(cwd), ...args], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
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
  const exited = new Promise<QenusResult>((done, fail) => {
    child.on('error', fail)
    child.on('close', (code, signal) => {
      running.delete(child)
      done({ code, signal, stdout, stderr })
    })
  })
  return { child, exited }
}

/**
 * Runs the `qenus` CLI with `args` and waits for it to exit.
 *
 * @param args - Command line after `qenus`.
 * @param options - Working folder, extra environment, entry script.
 * @returns Exit code, signal and output.
 * @example
 * ```ts
 * const { code, stderr } = await runQenus(['validate', '--config', config])
 * ```
 */
export function runQenus(args: string[], options: QenusOptions = {}): Promise<QenusResult> {
  return startQenus(args, options).exited
}

/** Kills with SIGKILL every `qenus` this process started that is still running (call it in `afterAll`). */
export function killStrays(): void {
  for (const child of running) child.kill('SIGKILL')
}

/**
 * Polls `check` every 25 ms until it returns a value other than `undefined` or `false`.
 *
 * @param what - What is awaited, for the error.
 * @param check - The condition; may be async.
 * @param timeoutMs - How long to wait (default: 60000).
 * @returns The first value `check` returned that was neither `undefined` nor `false`.
 * @throws Error naming `what` after `timeoutMs`.
 */
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
    await new Promise((r) => setTimeout(r, 25))
  }
}

/**
 * Creates a fresh folder under `<root>/.qenus/test/`, inside the project so that package names
 * (`@qenus/*`) in a config written there resolve as from the project. The caller removes it.
 *
 * @param prefix - Start of the folder's name.
 * @param root - The project folder (default: `process.cwd()`).
 * @returns The folder's absolute path.
 */
export async function testDir(prefix: string, root = process.cwd()): Promise<string> {
  const base = join(resolve(root), '.qenus', 'test')
  await mkdir(base, { recursive: true })
  return mkdtemp(join(base, `${prefix}-`))
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server a child process or a config opens.
 *
 * @returns The port number.
 */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.on('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Reads the block a `qenus` checkpoint file names.
 *
 * @param file - Path of the checkpoint (`<checkpoint.dir>/<name>.<chain>.json`).
 * @returns Its block, or undefined while the file does not exist yet.
 */
export async function checkpointOf(file: string): Promise<{ number: bigint; hash: string } | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const { block } = JSON.parse(text) as { block: { number: string; hash: string } }
  return { number: BigInt(block.number), hash: block.hash }
}
