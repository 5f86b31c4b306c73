import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HealthReport } from './health.js'
import type { Metrics } from './metrics.js'

/** What {@link startServer} takes. */
export interface StartServerOptions {
  /** Host to bind. @default '127.0.0.1' */
  host?: string | undefined
  /** Port; 0 picks a free one. @default 9464 */
  port?: number | undefined
  /** Served on `GET /metrics`. */
  metrics: Metrics
  /** Called on every `GET /health`. */
  health: () => HealthReport
}

/** A running observability server. */
export interface ObservabilityServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  url: string
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>
}

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /health` (JSON, 503 when any lane is down) on
 * node:http, loopback by default. Everything else is a 404.
 *
 * @example
 * ```ts
 * import { Metrics, startServer } from '@qenus/core'
 * const server = await startServer({ port: 0, metrics: new Metrics(), health: () => pipeline.health() })
 * console.log(await (await fetch(`${server.url}/metrics`)).text())
 * await server.close()
 * ```
 */
export async function startServer(options: StartServerOptions): Promise<ObservabilityServer> {
  const host = options.host ?? '127.0.0.1'
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      send(response, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).message}\n`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 9464, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeIdleConnections()
      }),
  }
}

async function handle(options: StartServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'GET only\n')
  if (path === '/metrics') return send(response, 200, options.metrics.contentType, await options.metrics.text())
  if (path === '/health') {
    const report = options.health()
    return send(response, report.status === 'ok' ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`)
  }
  send(response, 404, 'text/plain; charset=utf-8', 'not found: try /health or /metrics\n')
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) })
  response.end(body)
}
