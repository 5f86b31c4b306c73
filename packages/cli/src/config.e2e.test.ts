import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runQenus, testDir } from '@qenus/testkit'
import { beforeAll, describe, expect, it } from 'vitest'

const source = { use: '@qenus/source-rpc', providers: ['http://127.0.0.1:8545'] }
const valid = () => ({
  name: 'ok',
  chains: { devnet: { chainId: 31337, source: { ...source } } },
  extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }],
  sinks: [{ use: '@qenus/sink-console' }],
})

/** Each bad config, the path its error must name, and a word of what was expected or found. */
const BAD: { name: string; config: unknown; path: string; hint: RegExp }[] = [
  { name: 'missing name', config: { ...valid(), name: undefined }, path: 'name', hint: /string|required/i },
  {
    name: 'unknown chain without chainId',
    config: { ...valid(), chains: { mychain: { source } } },
    path: 'chains.mychain',
    hint: /chainId/,
  },
  {
    name: 'bad finality',
    config: { ...valid(), chains: { ethereum: { source, finality: 'soon' } } },
    path: 'chains.ethereum.finality',
    hint: /safe|finalized|number/,
  },
  {
    name: 'extractor on an unconfigured chain',
    config: { ...valid(), extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all', chains: ['base'] }] },
    path: 'extractors[0].chains[0]',
    hint: /base/,
  },
  { name: 'unknown top-level key', config: { ...valid(), sinkz: [] }, path: 'sinkz', hint: /unrecognized|unknown/i },
  {
    name: 'use that does not resolve',
    config: { ...valid(), sinks: [{ use: '@qenus/sink-nowhere' }] },
    path: 'sinks[0].use',
    hint: /@qenus\/sink-nowhere/,
  },
  {
    name: 'source option of the wrong type',
    config: { ...valid(), chains: { devnet: { chainId: 31337, source: { ...source, providers: 'http://x' } } } },
    path: 'chains.devnet.source.providers',
    hint: /array/i,
  },
  {
    name: 'extractor option outside its schema',
    config: { ...valid(), extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: ['0x1234'] }] },
    path: 'extractors[0].pools',
    hint: /address|hex|all/i,
  },
  {
    name: 'select.kinds not a list of strings',
    config: { ...valid(), sinks: [{ use: '@qenus/sink-console', select: { kinds: 'amm.swap' } }] },
    path: 'sinks[0].select.kinds',
    hint: /array/i,
  },
  {
    name: 'server port out of range',
    config: { ...valid(), server: { port: 70000 } },
    path: 'server.port',
    hint: /65535|too big|less than/i,
  },
  {
    name: 'missing environment variable',
    config: {
      ...valid(),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own interpolation syntax
      chains: { devnet: { chainId: 31337, source: { ...source, providers: ['${QENUS_TEST_UNSET_RPC}'] } } },
    },
    path: 'chains.devnet.source.providers[0]',
    hint: /QENUS_TEST_UNSET_RPC/,
  },
  {
    name: 'duplicate sink ids',
    config: { ...valid(), sinks: [{ use: '@qenus/sink-console' }, { use: '@qenus/sink-console' }] },
    path: 'sinks[1]',
    hint: /id/i,
  },
  {
    name: 'sink option of the wrong type',
    config: { ...valid(), sinks: [{ use: '@qenus/sink-console', path: 42 }] },
    path: 'sinks[0].path',
    hint: /string/i,
  },
]

describe('qenus validate', () => {
  let dir: string
  beforeAll(async () => {
    dir = await testDir('config')
  })

  it('accepts a valid config and names what it runs', async () => {
    const file = join(dir, 'good.json')
    await writeFile(file, JSON.stringify(valid()))
    const result = await runQenus(['validate', '--config', file])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('@qenus/plugin-uniswap-v3')
  })

  it.each(BAD)('exits 2 on a bad config: $name', async ({ name, config, path, hint }) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.json`)
    await writeFile(file, JSON.stringify(config))
    const result = await runQenus(['validate', '--config', file], { env: { QENUS_TEST_UNSET_RPC: undefined } })
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(file)
    expect(result.stderr).toContain(path)
    expect(result.stderr).toMatch(hint)
  })

  it('loads a local plugin by path, and refuses one built for another core version', async () => {
    const plugin = (apiVersion: string) => `import { definePlugin, defineSink, z } from '@qenus/core'
class NullSink { async write() {} async revert() {} async flush() {} }
export default definePlugin({ name: 'local-sink', version: '1.2.3', apiVersion: '${apiVersion}',
  components: { sinks: { null: defineSink({ name: 'null', summary: 'drops everything', stability: 'experimental',
    options: z.object({}), component: NullSink }) } } })
`
    await writeFile(join(dir, 'current.mjs'), plugin('^0.1.0'))
    await writeFile(join(dir, 'future.mjs'), plugin('^9.0.0'))
    const good = join(dir, 'local-good.json')
    await writeFile(good, JSON.stringify({ ...valid(), sinks: [{ use: './current.mjs' }] }))
    const ok = await runQenus(['validate', '--config', good])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('local-sink')
    const bad = join(dir, 'local-future.json')
    await writeFile(bad, JSON.stringify({ ...valid(), sinks: [{ use: './future.mjs' }] }))
    const refused = await runQenus(['validate', '--config', bad])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('sinks[0].use')
    expect(refused.stderr).toContain('^9.0.0')
    expect(refused.stderr).toMatch(/0\.1\.0/)
  })

  it('exits 2 on a YAML syntax error, naming the file', async () => {
    const file = join(dir, 'broken.yaml')
    await writeFile(file, 'name: x\nchains: [unclosed\n')
    const result = await runQenus(['validate', '--config', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(file)
  })

  it('exits 2 on bad usage, before loading anything', async () => {
    expect((await runQenus(['frobnicate'])).code).toBe(2)
    expect((await runQenus(['run', '--from', 'yesterday'])).code).toBe(2)
    expect((await runQenus(['validate', '--rate', '3'])).code).toBe(2)
  })
})
