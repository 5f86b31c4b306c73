import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.js'
import { redactUrl, redactUrlsInText } from './redact.js'

const SECRET = 'k3y-0f-s3cr3t'

const capture = () => {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, logger: createLogger({ level: 'debug', name: 'test', destination }) }
}

describe('redactUrl', () => {
  it('keeps scheme, host and port and drops userinfo, path and query', () => {
    expect(redactUrl(`https://user:${SECRET}@rpc.example.com:8545/v2/${SECRET}?key=${SECRET}#x`)).toBe(
      'https://rpc.example.com:8545/<redacted>',
    )
    expect(redactUrl(`wss://eth-mainnet.g.alchemy.com/v2/${SECRET}`)).toBe('wss://eth-mainnet.g.alchemy.com/<redacted>')
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545')
    expect(redactUrl(`not a url ${SECRET}`)).toBe('<redacted>')
  })
})

describe('redactUrlsInText', () => {
  it('is stable on text it already redacted', () => {
    const once = redactUrlsInText('provider http://127.0.0.1:9/key-123 is down')
    expect(once).toBe('provider http://127.0.0.1:9/<redacted> is down')
    expect(redactUrlsInText(once)).toBe(once)
  })
})

describe('createLogger', () => {
  it('writes pino JSON with the name and level', () => {
    const { lines, logger } = capture()
    logger.info({ block: 5 }, 'hello')
    const line = JSON.parse(lines[0])
    expect(line).toMatchObject({ name: 'test', level: 30, msg: 'hello', block: 5 })
  })

  it('never writes provider URLs or authorization headers in clear', () => {
    const { lines, logger } = capture()
    const url = `https://eth.example.org/v2/${SECRET}`
    logger.info({ url }, 'top-level url')
    logger.info({ source: { providers: [url, { url, weight: 2 }] } }, 'nested providers')
    logger.info({ request: { headers: { authorization: `Bearer ${SECRET}` } } }, 'auth header')
    logger.info(`message mentions ${url} inline`)
    logger.error({ err: new Error(`fetch failed: ${url}`) }, 'error with url')
    const text = lines.join('\n')
    expect(lines).toHaveLength(5)
    expect(text).not.toContain(SECRET)
    const [top, nested, auth, inline, error] = lines.map((line) => JSON.parse(line))
    expect(top.url).toBe('https://eth.example.org/<redacted>')
    expect(nested.source.providers).toEqual([
      'https://eth.example.org/<redacted>',
      { url: 'https://eth.example.org/<redacted>', weight: 2 },
    ])
    expect(auth.request.headers.authorization).toBe('<redacted>')
    expect(inline.msg).toBe('message mentions https://eth.example.org/<redacted> inline')
    expect(error.err.message).toBe('fetch failed: https://eth.example.org/<redacted>')
  })
})
