import { type ChildProcess, spawn } from 'node:child_process'

/** Options of {@link startKafka}. */
export interface KafkaOptions {
  /**
   * Number of brokers of the mock cluster.
   * @default 3
   */
  brokers?: number | undefined
  /** How long to wait for the cluster to report its address, milliseconds. @default 10000 */
  timeoutMs?: number | undefined
}

/** A running librdkafka mock cluster. */
export interface KafkaCluster {
  /** Broker addresses, `host:port`, for any Kafka client. */
  brokers: string[]
  /** Shuts the cluster down (closes kcat's stdin) and waits for it to exit. */
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Starts librdkafka's mock Kafka cluster through Debian's `kcat`: it speaks the Kafka protocol,
 * auto-creates topics (4 partitions) and lives until stopped.
 *
 * @param options - See {@link KafkaOptions}.
 * @returns The broker addresses and a `stop()`.
 * @throws When `kcat` is missing (`apt-get install -y kcat`) or prints no bootstrap address.
 * @example
 * ```ts
 * import { startKafka } from '@qenus/testkit'
 * const kafka = await startKafka({ brokers: 3 })
 * // new Kafka({ brokers: kafka.brokers }) ...
 * await kafka.stop()
 * ```
 */
export function startKafka(options: KafkaOptions = {}): Promise<KafkaCluster> {
  const count = options.brokers ?? 3
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`startKafka: brokers must be a positive integer, got ${count}`)
  const args = ['-P', '-b', '127.0.0.1:1', '-t', 'warm', '-X', `test.mock.num.brokers=${count}`, '-d', 'mock']
  const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] })
  installExitHook()
  running.add(child)
  return new Promise((resolve, reject) => {
    let stderr = ''
    const fail = (reason: string) => {
      clearTimeout(timer)
      running.delete(child)
      child.kill('SIGKILL')
      reject(new Error(`startKafka: ${reason}\n${stderr.slice(-2000)}`))
    }
    const timer = setTimeout(() => fail('no bootstrap.servers line from kcat'), options.timeoutMs ?? 10_000)
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /bootstrap\.servers=([\d.:,]+)/.exec(stderr)
      if (!match) return
      clearTimeout(timer)
      child.off('exit', onExit)
      child.stderr?.off('data', onData)
      child.stderr?.resume()
      resolve({ brokers: match[1]!.split(','), stop: () => stopKcat(child) })
    }
    const onExit = (code: number | null) => fail(`kcat exited early with code ${code}`)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', (err) => fail(`cannot run kcat (${err.message}); install it with \`apt-get install -y kcat\``))
  })
}

function stopKcat(child: ChildProcess): Promise<void> {
  running.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.stdin?.end()
  })
}

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

/** Options of {@link consumeWithKcat}. */
export interface ConsumeOptions {
  /** Broker addresses. */
  brokers: string[]
  /** Topic to read from the beginning. */
  topic: string
  /** Stop after this many records. When omitted, read to the end of every partition. */
  count?: number | undefined
  /** Give up after this long, milliseconds. @default 15000 */
  timeoutMs?: number | undefined
}

/** One record read by kcat. */
export interface KcatRecord {
  /** Topic. */
  topic: string
  /** Partition. */
  partition: number
  /** Offset within the partition. */
  offset: bigint
  /** Key as text, or `null`. */
  key: string | null
  /** Headers by name. */
  headers: Record<string, string>
  /** Payload bytes (UTF-8 encoded, as kcat's JSON envelope carries text). */
  payload: Buffer | null
  /** Record timestamp, milliseconds since the epoch. */
  timestamp: number
}

/**
 * Reads a topic with `kcat -C -J -e`, a Kafka client independent of the one under test.
 *
 * @param options - See {@link ConsumeOptions}.
 * @returns The records in the order kcat received them (ordered within each partition).
 * @remarks kcat's JSON envelope carries keys and payloads as text, so binary payloads (protobuf)
 * do not survive it byte for byte; read those with another client.
 */
export function consumeWithKcat(options: ConsumeOptions): Promise<KcatRecord[]> {
  const args = ['-C', '-J', '-e', '-q', '-b', options.brokers.join(','), '-t', options.topic, '-o', 'beginning']
  if (options.count !== undefined) args.push('-c', String(options.count))
  const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const timeoutMs = options.timeoutMs ?? 15_000
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`consumeWithKcat: topic ${options.topic} not read within ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`consumeWithKcat: cannot run kcat (${err.message})`))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`consumeWithKcat: kcat exited with code ${code}\n${stderr}`))
      try {
        resolve(stdout.split('\n').filter(Boolean).map(parseRecord))
      } catch (err) {
        reject(err)
      }
    })
  })
}

function parseRecord(line: string): KcatRecord {
  // Offsets can pass 2^53 on long-lived topics: read them from the text, not as numbers.
  const offset = /"offset":\s*(\d+)/.exec(line)?.[1]
  const json = JSON.parse(line) as {
    topic: string
    partition: number
    ts: number
    headers?: string[] | Record<string, string>
    key: string | null
    payload: string | null
  }
  return {
    topic: json.topic,
    partition: json.partition,
    offset: BigInt(offset ?? '0'),
    key: json.key,
    headers: parseHeaders(json.headers),
    payload: json.payload === null ? null : Buffer.from(json.payload, 'utf8'),
    timestamp: json.ts,
  }
}

function parseHeaders(headers: string[] | Record<string, string> | undefined): Record<string, string> {
  if (!headers) return {}
  if (!Array.isArray(headers)) return headers
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < headers.length; i += 2) out[headers[i]!] = headers[i + 1]!
  return out
}
