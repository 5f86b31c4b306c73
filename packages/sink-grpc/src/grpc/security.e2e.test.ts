import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEVNET, dataplaneClient, type SinkHarness, startSink, stateBatches, unary } from '../test/helpers.js'

let dir: string
const file = (name: string) => join(dir, name)

/** Runs openssl; certificates are made at test time so nothing secret lives in the repository. */
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })

function ca(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  )
}

/** A key and a certificate signed by `issuer`, with the SAN a loopback server needs. */
function leaf(name: string, issuer: string, server: boolean): void {
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  )
  const ext = server
    ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'
    : 'extendedKeyUsage=clientAuth'
  writeFileSync(file(`${name}.ext`), `${ext}\n`)
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.crt`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  )
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qenus-grpc-tls-'))
  ca('ca')
  ca('rogue')
  leaf('server', 'ca', true)
  leaf('client', 'ca', false)
  leaf('intruder', 'rogue', false)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const read = (name: string) => readFileSync(file(name))
const TOKEN = 'a-long-enough-bearer-token-for-tests'

async function heads(h: SinkHarness, credentials: grpc.ChannelCredentials, metadata = new grpc.Metadata()) {
  const client = dataplaneClient(h.sink.target, credentials)
  try {
    return await unary<{ heads: unknown[] }>(client, 'GetHeads', {}, metadata).then(
      (r) => r.heads.length,
      (e: grpc.ServiceError) => e.code,
    )
  } finally {
    client.close()
  }
}

async function withSink(options: Record<string, unknown>, run: (h: SinkHarness) => Promise<void>) {
  const h = await startSink(options)
  try {
    for (const b of stateBatches(DEVNET, 1n, 2)) await h.push(b)
    await run(h)
  } finally {
    await h.sink.close()
  }
}

describe('transport security', () => {
  it('TLS: a client trusting the CA connects; plaintext and a client trusting another CA do not', async () => {
    await withSink({ tls: { cert: file('server.crt'), key: file('server.key') } }, async (h) => {
      expect(await heads(h, grpc.credentials.createSsl(read('ca.crt')))).toBe(1)
      expect(await heads(h, grpc.credentials.createSsl(read('rogue.crt')))).toBe(grpc.status.UNAVAILABLE)
      expect(await heads(h, grpc.credentials.createInsecure())).toBe(grpc.status.UNAVAILABLE)
    })
  })

  it('mutual TLS: only a client certificate from the configured CA gets in', async () => {
    const tls = { cert: file('server.crt'), key: file('server.key'), ca: file('ca.crt') }
    await withSink({ tls }, async (h) => {
      const withCert = (name: string) =>
        grpc.credentials.createSsl(read('ca.crt'), read(`${name}.key`), read(`${name}.crt`))
      expect(await heads(h, withCert('client'))).toBe(1)
      expect(await heads(h, withCert('intruder'))).toBe(grpc.status.UNAVAILABLE)
      expect(await heads(h, grpc.credentials.createSsl(read('ca.crt')))).toBe(grpc.status.UNAVAILABLE)
    })
  })

  it('bearer token: the right one passes; a wrong, missing or malformed one gets UNAUTHENTICATED and is counted', async () => {
    await withSink({ token: TOKEN }, async (h) => {
      const insecure = grpc.credentials.createInsecure()
      const bearer = (value: string) => {
        const metadata = new grpc.Metadata()
        metadata.set('authorization', value)
        return metadata
      }
      expect(await heads(h, insecure, bearer(`Bearer ${TOKEN}`))).toBe(1)
      expect(await heads(h, insecure, bearer(`Bearer ${TOKEN}x`))).toBe(grpc.status.UNAUTHENTICATED)
      expect(await heads(h, insecure, bearer(`Bearer ${TOKEN.slice(0, -1)}`))).toBe(grpc.status.UNAUTHENTICATED)
      expect(await heads(h, insecure, bearer(TOKEN))).toBe(grpc.status.UNAUTHENTICATED)
      expect(await heads(h, insecure)).toBe(grpc.status.UNAUTHENTICATED)
      // Streams are guarded too.
      const client = dataplaneClient(h.sink.target)
      const stream = client.StreamFeatures({})
      const code = await new Promise((resolve) => stream.on('error', (e: grpc.ServiceError) => resolve(e.code)))
      client.close()
      expect(code).toBe(grpc.status.UNAUTHENTICATED)
      expect(await h.metrics.registry.getSingleMetricAsString('qenus_grpc_refused_calls_total')).toContain(
        'qenus_grpc_refused_calls_total{reason="unauthenticated"} 5',
      )
    })
  })

  it('TLS with a token: both are needed', async () => {
    await withSink({ tls: { cert: file('server.crt'), key: file('server.key') }, token: TOKEN }, async (h) => {
      const tls = grpc.credentials.createSsl(read('ca.crt'))
      const withToken = grpc.credentials.combineChannelCredentials(
        tls,
        grpc.credentials.createFromMetadataGenerator((_params, callback) => {
          const metadata = new grpc.Metadata()
          metadata.set('authorization', `Bearer ${TOKEN}`)
          callback(null, metadata)
        }),
      )
      expect(await heads(h, withToken)).toBe(1)
      expect(await heads(h, tls)).toBe(grpc.status.UNAUTHENTICATED)
    })
  })

  it('fails start with a clear error when a TLS file is missing', async () => {
    const error = await startSink({ tls: { cert: file('nope.crt'), key: file('server.key') } }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'SINK_GRPC_TLS_INVALID',
      message: `grpc sink: cannot read tls.cert ${file('nope.crt')}`,
    })
  })
})
