import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type AddressInfo, createServer } from 'node:net'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

/**
 * Finds the anvil binary shipped by `@foundry-rs/anvil`'s platform package.
 *
 * @returns Absolute path of the binary; `$QENUS_ANVIL_BIN` wins when set.
 * @throws When no platform package for this OS and CPU is installed.
 */
export function resolveAnvilBinary(): string {
  const fromEnv = process.env['QENUS_ANVIL_BIN']
  if (fromEnv) return fromEnv
  const pkg = `@foundry-rs/anvil-${platform()}-${ARCH[arch()] ?? arch()}`
  let dir: string
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`))
  } catch (cause) {
    throw new Error(`anvil binary not found: ${pkg} is not installed (install @foundry-rs/anvil)`, { cause })
  }
  const bin = join(dir, 'bin', 'anvil')
  if (!existsSync(bin)) throw new Error(`anvil binary not found at ${bin}`)
  return bin
}

/** A running anvil process. */
export interface AnvilProcess {
  /** The child process. */
  child: ChildProcess
  /** The port http and ws share. */
  port: number
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>
}

/**
 * Spawns anvil on a free port and waits until it answers JSON-RPC.
 *
 * @param args - Extra command-line arguments (without `--port`).
 * @param timeoutMs - How long to wait for anvil to answer.
 */
export async function spawnAnvil(args: string[], timeoutMs = 20_000): Promise<AnvilProcess> {
  // A port taken between probing and binding makes anvil exit at once: try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      return await spawnOn(port, args, timeoutMs)
    } catch (err) {
      if (attempt >= 3 || !/in use/i.test(String(err))) throw err
    }
  }
}

// anvil keeps old states under $HOME/.foundry/anvil/tmp and leaves them behind when killed: each
// process gets a HOME of its own, removed when it exits (or with the test process).
const homes = new Set<string>()
/** Anvils still running: killed when this process exits, since they run in process groups of their own. */
const children = new Set<ChildProcess>()
let exitHookInstalled = false

function anvilHome(): string {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const child of children) child.kill('SIGKILL')
      for (const home of homes) rmSync(home, { recursive: true, force: true })
    })
  }
  const home = mkdtempSync(join(tmpdir(), 'qenus-anvil-home-'))
  homes.add(home)
  return home
}

function removeHome(home: string): void {
  homes.delete(home)
  rmSync(home, { recursive: true, force: true })
}

async function spawnOn(port: number, args: string[], timeoutMs: number): Promise<AnvilProcess> {
  const home = anvilHome()
  const child = spawn(resolveAnvilBinary(), ['--port', String(port), '--host', '127.0.0.1', '--quiet', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, HOME: home },
    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the
    // node must outlive its owner's graceful stop (`qenus dev` drains the pipeline, then stops it).
    detached: true,
  })
  children.add(child)
  child.once('exit', () => {
    children.delete(child)
    removeHome(home)
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  let exited: string | undefined
  child.once('exit', (code, signal) => {
    exited = `exited early (code ${code}, signal ${signal})`
  })
  child.once('error', (err) => {
    exited = err.message
  })
  const deadline = Date.now() + timeoutMs
  while (!(await answers(port))) {
    if (exited) throw new Error(`anvil failed to start: ${exited}\n${stderr}`)
    if (Date.now() > deadline) {
      await stopChild(child)
      throw new Error(`anvil failed to start: no answer on port ${port} within ${timeoutMs} ms\n${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  return { child, port, stop: () => stopChild(child) }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
    })
    return res.ok
  } catch {
    return false
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
