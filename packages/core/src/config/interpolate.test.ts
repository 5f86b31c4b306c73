// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test
import { describe, expect, it } from 'vitest'
import { interpolateEnv } from './interpolate.js'

const env = { RPC_A: 'https://a.example/v2/key', EMPTY: '', PORT: '8545' }

describe('interpolateEnv', () => {
  it('replaces references in every string, deeply, and leaves other values alone', () => {
    const raw = {
      chains: { ethereum: { source: { providers: ['${RPC_A}', 'http://127.0.0.1:${PORT}/rpc'] }, finality: 12 } },
      flags: [true, null, { nested: '${PORT}${PORT}' }],
    }
    const { value, issues } = interpolateEnv(raw, env)
    expect(issues).toEqual([])
    expect(value).toEqual({
      chains: { ethereum: { source: { providers: [env.RPC_A, 'http://127.0.0.1:8545/rpc'] }, finality: 12 } },
      flags: [true, null, { nested: '85458545' }],
    })
    expect(raw.chains.ethereum.source.providers[0]).toBe('${RPC_A}')
  })

  it('uses the default when the variable is unset or empty, and the value when set', () => {
    const { value, issues } = interpolateEnv(['${NOPE:-fallback}', '${EMPTY:-used}', '${PORT:-1}', '${NOPE:-}'], env)
    expect(issues).toEqual([])
    expect(value).toEqual(['fallback', 'used', '8545', ''])
  })

  it('keeps an empty variable without a default as an empty string', () => {
    expect(interpolateEnv('x${EMPTY}y', env)).toEqual({ value: 'xy', issues: [] })
  })

  it('turns $${VAR} into the literal ${VAR}', () => {
    expect(interpolateEnv('$${RPC_A} and ${PORT}', env).value).toBe('${RPC_A} and 8545')
  })

  it('reports each missing variable at the path of its string, naming the variable but no value', () => {
    const raw = {
      chains: { ethereum: { source: { providers: ['${RPC_A}', '${RPC_B}'] } } },
      sinks: [{ url: '${KAFKA}' }],
    }
    const { value, issues } = interpolateEnv(raw, env, '')
    expect(issues).toEqual([
      { path: 'chains.ethereum.source.providers[1]', message: expect.stringContaining('RPC_B') },
      { path: 'sinks[0].url', message: expect.stringContaining('KAFKA') },
    ])
    expect(issues.map((issue) => issue.message).join()).not.toContain(env.RPC_A)
    expect((value as typeof raw).chains.ethereum.source.providers).toEqual([env.RPC_A, '${RPC_B}'])
  })

  it('prefixes issue paths with the given path', () => {
    expect(interpolateEnv({ url: '${X}' }, {}, 'sinks[2]').issues[0]?.path).toBe('sinks[2].url')
  })

  it('reports a malformed reference', () => {
    const { issues } = interpolateEnv({ url: '${1BAD}' }, env)
    expect(issues).toEqual([{ path: 'url', message: expect.stringContaining('invalid variable reference "${1BAD}"') }])
  })
})
