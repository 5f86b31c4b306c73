// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test
import 'reflect-metadata'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkspace, type Workspace } from '../../test/workspace.js'
import { isQenusError } from '../errors.js'
import { KNOWN_CHAINS } from '../schema/chains.js'
import { type ConfigError, type ConfigIssue, isConfigError } from './error.js'
import { loadConfig } from './load.js'
import { resolveConfig } from './resolve.js'
import { configJsonSchema } from './schema.js'

const env = { RPC_URL: 'https://eth.example/v2/secret-key' }
const coreVersion = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string

// biome-ignore lint/suspicious/noExplicitAny: each case breaks the config in its own way
type Raw = Record<string, any>

function valid(): Raw {
  return {
    name: 'bad-config-test',
    chains: { ethereum: { source: { use: '@acme/plugin-x', providers: ['${RPC_URL}'] } } },
    extractors: [
      { use: '@acme/plugin-x', pools: 'top:10' },
      { use: './plugins/extractor.ts', every: 1 },
    ],
    detectors: [{ use: '@acme/plugin-x', minNetProfitUsd: 25 }],
    sinks: [
      { use: '@acme/plugin-x', component: 'archive', select: { kinds: ['amm.*'] } },
      { use: './plugins/sink.mjs', path: 'out.jsonl' },
    ],
  }
}

let ws: Workspace
beforeAll(async () => {
  ws = await createWorkspace()
})
afterAll(() => ws.remove())

let written = 0
async function failure(config: Raw, variables: NodeJS.ProcessEnv = env): Promise<ConfigError> {
  const file = await ws.write(`bad-${++written}.json`, JSON.stringify(config))
  const error = await loadConfig({ config: file, cwd: ws.dir, env: variables }).catch((caught: unknown) => caught)
  if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`)
  expect(error.file).toBe(file)
  return error
}

interface BadCase {
  title: string
  change: (config: Raw) => void
  path: string
  says: string
  variables?: NodeJS.ProcessEnv
}

const cases: BadCase[] = [
  { title: 'missing name', change: (c) => delete c.name, path: 'name', says: 'required: expected string' },
  {
    title: 'name with a space',
    change: (c) => (c.name = 'my pipeline'),
    path: 'name',
    says: 'expected a name of letters',
  },
  { title: 'no chains', change: (c) => (c.chains = {}), path: 'chains', says: 'expected at least one chain' },
  {
    title: 'unknown chain without chainId',
    change: (c) => (c.chains.moonbase = { source: { use: '@acme/plugin-x', providers: ['http://127.0.0.1:1'] } }),
    path: 'chains.moonbase.chainId',
    says: 'chain "moonbase" is not a known chain',
  },
  {
    title: 'two chains with one chain id',
    change: (c) =>
      (c.chains.fork = { chainId: 1, source: { use: '@acme/plugin-x', providers: ['http://127.0.0.1:1'] } }),
    path: 'chains.fork.chainId',
    says: 'chain id 1 is already used by chains.ethereum',
  },
  {
    title: 'bad finality',
    change: (c) => (c.chains.ethereum.finality = 'soon'),
    path: 'chains.ethereum.finality',
    says: 'expected a block depth (an integer >= 0), "safe" or "finalized", found a string',
  },
  {
    title: 'negative finality depth',
    change: (c) => (c.chains.ethereum.finality = -3),
    path: 'chains.ethereum.finality',
    says: 'found -3',
  },
  {
    title: 'extractor chains naming an unconfigured chain',
    change: (c) => (c.extractors[0].chains = ['ethereum', 'arbitrum']),
    path: 'extractors[0].chains[1]',
    says: 'unknown chain "arbitrum"; configured chains: ethereum',
  },
  {
    title: 'unknown top-level key',
    change: (c) => (c.sink = []),
    path: 'sink',
    says: 'unknown top-level key "sink"; expected one of: name, chains, extractors',
  },
  {
    title: 'use that does not resolve',
    change: (c) => (c.sinks[1].use = '@acme/plugin-kafka'),
    path: 'sinks[1].use',
    says: `cannot find package "@acme/plugin-kafka" from ${'<dir>'}; install it: npm i @acme/plugin-kafka`,
  },
  {
    title: 'local plugin path that does not exist',
    change: (c) => (c.sinks[1].use = './plugins/nope.mjs'),
    path: 'sinks[1].use',
    says: 'cannot find plugin "./plugins/nope.mjs"',
  },
  {
    title: 'plugin without default export',
    change: (c) => (c.extractors[1].use = '@acme/not-a-plugin'),
    path: 'extractors[1].use',
    says: 'has no default export',
  },
  {
    title: 'plugin built for another core',
    change: (c) => (c.sinks[1] = { use: '@acme/plugin-old' }),
    path: 'sinks[1].use',
    says: `needs @qenus/core ^9.0.0 (its apiVersion), but this is @qenus/core ${coreVersion}`,
  },
  {
    title: 'component option of the wrong type',
    change: (c) => (c.extractors[0].pools = 50),
    path: 'extractors[0].pools',
    says: 'expected string, found 50',
  },
  {
    title: 'component option failing its format',
    change: (c) => (c.extractors[0].pools = 'all'),
    path: 'extractors[0].pools',
    says: 'Invalid string',
  },
  {
    title: 'unknown component option',
    change: (c) => (c.detectors[0].minProfit = 5),
    path: 'detectors[0].minProfit',
    says: 'unknown key "minProfit"; expected one of: minNetProfitUsd',
  },
  {
    title: 'missing required component option',
    change: (c) => delete c.detectors[0].minNetProfitUsd,
    path: 'detectors[0].minNetProfitUsd',
    says: 'required: expected number',
  },
  {
    title: 'several components and none picked',
    change: (c) => delete c.sinks[0].component,
    path: 'sinks[0].component',
    says: 'ships several sinks (memory, archive): set component to one of them',
  },
  {
    title: 'component name the plugin lacks',
    change: (c) => (c.sinks[0].component = 'hot'),
    path: 'sinks[0].component',
    says: 'has no sink "hot"; its sinks: memory, archive',
  },
  {
    title: 'plugin without a component of the role',
    change: (c) => (c.detectors[0].use = './plugins/sink.mjs'),
    path: 'detectors[0].use',
    says: 'plugin local-lines ships no detector (it ships sinks: lines)',
  },
  {
    title: 'select.kinds not a string array',
    change: (c) => (c.sinks[0].select.kinds = 'amm.*'),
    path: 'sinks[0].select.kinds',
    says: 'expected array, found a string',
  },
  {
    title: 'select.kinds item not a string',
    change: (c) => (c.sinks[0].select.kinds = ['amm.*', 7]),
    path: 'sinks[0].select.kinds[1]',
    says: 'expected string, found 7',
  },
  {
    title: 'select.kinds pattern matching no kind',
    change: (c) => (c.sinks[0].select.kinds = ['amm.swp']),
    path: 'sinks[0].select.kinds[0]',
    says: '"amm.swp" matches no feature kind',
  },
  {
    title: 'select.chains naming an unconfigured chain',
    change: (c) => (c.detectors[0].select = { chains: ['base'] }),
    path: 'detectors[0].select.chains[0]',
    says: 'unknown chain "base"',
  },
  {
    title: 'sink with chains instead of select',
    change: (c) => (c.sinks[1].chains = ['ethereum']),
    path: 'sinks[1].chains',
    says: 'write select: { chains: [...] } to narrow by chain',
  },
  {
    title: 'duplicate ids',
    change: (c) => c.sinks.push({ use: '@acme/plugin-x', component: 'archive' }),
    path: 'sinks[2].id',
    says: 'duplicate sink id "archive" (also sinks[0]); give each instance a distinct id',
  },
  {
    title: 'explicit id clashing with a default id',
    change: (c) => c.sinks.push({ use: '@acme/plugin-x', component: 'memory', id: 'lines' }),
    path: 'sinks[2].id',
    says: 'duplicate sink id "lines" (also sinks[1])',
  },
  { title: 'bad server port', change: (c) => (c.server = { port: 70_000 }), path: 'server.port', says: 'found 70000' },
  {
    title: 'server port of the wrong type',
    change: (c) => (c.server = { port: 'http' }),
    path: 'server.port',
    says: 'expected a port number 0-65535 (0 picks a free one) or false',
  },
  { title: 'bad log level', change: (c) => (c.log = { level: 'verbose' }), path: 'log.level', says: 'found "verbose"' },
  {
    title: 'checkpoint every 0 blocks',
    change: (c) => (c.checkpoint = { everyBlocks: 0 }),
    path: 'checkpoint.everyBlocks',
    says: 'expected number to be >=1, found 0',
  },
  {
    title: 'missing env var',
    change: () => undefined,
    variables: {},
    path: 'chains.ethereum.source.providers[0]',
    says: 'environment variable RPC_URL is not set',
  },
]

describe('resolveConfig: bad configs', () => {
  it.each(cases)('$title → $path', async ({ change, path, says, variables }) => {
    const config = valid()
    change(config)
    const error = await failure(config, variables)
    const expected = says.replace('<dir>', ws.dir)
    expect(error.issues).toEqual([{ path, message: expect.stringContaining(expected) }])
    expect(error.message).toContain(`${error.file}: ${path}: `)
    expect(error.code).toBe('CONFIG_INVALID')
    expect(isQenusError(error)).toBe(true)
  })

  it('reports every problem of a config at once, in the order they appear', async () => {
    const config = valid()
    config.name = ''
    config.chains.ethereum.finality = 'later'
    config.extractors[0].pools = false
    config.extractors[0].chains = ['polygon']
    config.extractors[1].use = '@acme/plugin-old'
    config.sinks[0].select.kinds = [1]
    config.sinks[1].use = './plugins/missing.js'
    config.server = { port: -1 }
    config.extra = true
    const error = await failure(config, {})
    const paths = error.issues.map((issue: ConfigIssue) => issue.path)
    expect(paths).toEqual([
      'name',
      'chains.ethereum.source.providers[0]',
      'chains.ethereum.finality',
      'extractors[0].pools',
      'extractors[0].chains[0]',
      'extractors[1].use',
      'sinks[0].select.kinds[0]',
      'sinks[1].use',
      'server.port',
      'extra',
    ])
    expect(error.message).toContain(`(${paths.length} problems)`)
    for (const path of paths) expect(error.message).toContain(`${error.file}: ${path}: `)
  })

  it('never prints the value of an interpolated variable', async () => {
    const config = valid()
    config.chains.ethereum.source.providers = ['${RPC_URL}', '${RPC_URL}']
    const error = await failure(config, { RPC_URL: 'not-a-url-but-a-secret-token' })
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'chains.ethereum.source.providers[0]',
      'chains.ethereum.source.providers[1]',
    ])
    expect(error.message).not.toContain('secret-token')
  })

  it('reports a config that is not an object', async () => {
    const error = await resolveConfig(['name'], { file: '<embedded>', dir: ws.dir, env }).catch((caught) => caught)
    expect(isConfigError(error)).toBe(true)
    expect(error.issues).toEqual([{ path: '', message: 'expected object, found an array' }])
    expect(error.message).toContain('<embedded>: expected object, found an array')
  })
})

describe('resolveConfig: in memory', () => {
  it('resolves an embedded config from the given folder and applies overrides and defaults', async () => {
    const config = valid()
    config.chains.ethereum.finality = 12
    config.chains.ethereum.blockTimeMs = 11_000
    config.chains.anvil = { chainId: 31_337, finality: 'safe', source: { use: './plugins/folder-plugin' } }
    config.checkpoint = { dir: '/var/lib/qenus', everyMs: 0 }
    config.server = { port: false }
    const resolved = await resolveConfig(config, { file: '<embedded>', dir: ws.dir, env })
    expect(resolved.file).toBe('<embedded>')
    expect(resolved.chains.map((chain) => [chain.info, chain.finality])).toEqual([
      [{ ...KNOWN_CHAINS.ethereum, finalityDepth: 12, blockTimeMs: 11_000 }, 12],
      [{ ...KNOWN_CHAINS.devnet, name: 'anvil', multicall3: undefined }, 'safe'],
    ])
    expect(resolved.checkpoint).toEqual({ dir: '/var/lib/qenus', everyBlocks: 1000, everyMs: 0 })
    expect(resolved.server).toEqual({ host: '127.0.0.1', port: false })
    expect(resolved.detectors.map(({ id, path, options }) => ({ id, path, options }))).toEqual([
      { id: 'spread', path: 'detectors[0]', options: { minNetProfitUsd: 25 } },
    ])
  })

  it('gives two instances of one component distinct ids when the config names them', async () => {
    const config = valid()
    config.sinks.push({ use: '@acme/plugin-x', component: 'archive', id: 'archive-2', capacity: 5 })
    const resolved = await resolveConfig(config, { dir: ws.dir, env })
    expect(resolved.sinks.map((sink) => [sink.id, sink.options])).toEqual([
      ['archive', { capacity: 1000 }],
      ['lines', { path: 'out.jsonl' }],
      ['archive-2', { capacity: 5 }],
    ])
  })

  it('names <embedded> in errors by default', async () => {
    const error = await resolveConfig({ name: 'x', chains: {} }, { dir: join(ws.dir), env }).catch((caught) => caught)
    expect(error.message).toContain('<embedded>: chains: expected at least one chain')
  })
})

describe('configJsonSchema', () => {
  it('describes the top level and refuses unknown keys', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, unknown>
      additionalProperties: unknown
      required: string[]
    }
    expect(Object.keys(schema.properties)).toEqual([
      'name',
      'chains',
      'extractors',
      'detectors',
      'sinks',
      'checkpoint',
      'queue',
      'server',
      'log',
    ])
    expect(schema.required).toEqual(['name', 'chains'])
    expect(schema.additionalProperties).toBe(false)
  })
})
