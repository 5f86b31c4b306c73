// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test
import 'reflect-metadata'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createWorkspace, type Workspace } from '../../test/workspace.js'
import { KNOWN_CHAINS } from '../schema/chains.js'
import { isConfigError } from './error.js'
import { loadConfig } from './load.js'
import type { ResolvedConfig } from './types.js'

const env = { RPC_URL: 'https://eth.example/v2/secret-key' }

const config = {
  name: 'format-test',
  chains: {
    ethereum: { source: { use: '@acme/plugin-x', providers: ['${RPC_URL}'] }, finality: 'finalized' },
    local: { chainId: 1337, source: { use: './plugins/folder-plugin' } },
  },
  extractors: [
    { use: '@acme/plugin-x', pools: 'top:10', chains: ['ethereum'] },
    { use: './plugins/extractor.ts', every: 3 },
  ],
  sinks: [
    { use: '@acme/plugin-x', component: 'archive', id: 'cold', select: { kinds: ['amm.*'] } },
    { use: './plugins/sink.mjs', path: './out.jsonl' },
  ],
  server: { port: 0 },
}

const yaml = `name: format-test
chains:
  ethereum:
    source: { use: '@acme/plugin-x', providers: ['\${RPC_URL}'] }
    finality: finalized
  local:
    chainId: 1337
    source: { use: ./plugins/folder-plugin }
extractors:
  - { use: '@acme/plugin-x', pools: 'top:10', chains: [ethereum] }
  - { use: ./plugins/extractor.ts, every: 3 }
sinks:
  - use: '@acme/plugin-x'
    component: archive
    id: cold
    select: { kinds: ['amm.*'] }
  - { use: ./plugins/sink.mjs, path: ./out.jsonl }
server: { port: 0 }
`

const json = JSON.stringify(config, null, 2)

const formats: [string, string][] = [
  [
    'qenus.config.ts',
    `import { defineConfig, type QenusConfig } from '@qenus/core'\nconst finality: 'finalized' = 'finalized'\nconst config: QenusConfig = ${json.replace("'finalized'", 'finality')}\nexport default defineConfig(config)\n`,
  ],
  ['qenus.config.mjs', `export default ${json}\n`],
  ['qenus.config.js', `export default ${json}\n`],
  ['qenus.config.cjs', `module.exports = ${json}\n`],
  ['qenus.config.json', json],
  ['qenus.config.yaml', yaml],
  ['qenus.config.yml', yaml],
  ['.qenusrc', yaml],
  ['.qenusrc.json', json],
  ['.qenusrc.yaml', yaml],
  ['.qenusrc.ts', `import { defineConfig } from '@qenus/core'\nexport default defineConfig(${json})\n`],
  ['package.json', JSON.stringify({ name: 'app', type: 'module', qenus: config })],
]

let ws: Workspace
beforeEach(async () => {
  ws = await createWorkspace()
})
afterEach(() => ws.remove())

function expectResolved(resolved: ResolvedConfig, file: string): void {
  expect(resolved.file).toBe(file)
  expect(resolved.dir).toBe(ws.dir)
  expect(resolved.name).toBe('format-test')
  const [ethereum, local] = resolved.chains
  expect(ethereum?.info).toEqual(KNOWN_CHAINS.ethereum)
  expect(ethereum?.finality).toBe('finalized')
  expect(ethereum?.source.options).toEqual({ providers: [env.RPC_URL], batchSize: 100 })
  expect(local?.info).toMatchObject({ name: 'local', chainId: 1337, family: 'devnet', multicall3: undefined })
  expect(local?.source).toMatchObject({ id: 'noop', plugin: 'folder-plugin', path: 'chains.local.source' })
  expect(resolved.extractors.map(({ id, plugin, chains }) => ({ id, plugin, chains }))).toEqual([
    { id: 'pools', plugin: '@acme/plugin-x', chains: ['ethereum'] },
    { id: 'count', plugin: 'local-count', chains: undefined },
  ])
  expect(resolved.extractors[1]?.options).toEqual({ every: 3 })
  expect(resolved.sinks.map(({ id, definition, select }) => ({ id, name: definition.name, select }))).toEqual([
    { id: 'cold', name: 'archive', select: { kinds: ['amm.*'] } },
    { id: 'lines', name: 'lines', select: undefined },
  ])
  expect(resolved.checkpoint).toEqual({ dir: join(ws.dir, '.qenus', 'checkpoints'), everyBlocks: 1000, everyMs: 1000 })
  expect(resolved.server).toEqual({ host: '127.0.0.1', port: 0 })
  expect(resolved.queue).toEqual({ maxBlocks: 64 })
  expect(resolved.log).toEqual({ level: 'info' })
}

describe('loadConfig', () => {
  it.each(formats)('finds and loads %s', async (name, content) => {
    const file = await ws.write(name, content)
    expectResolved(await loadConfig({ cwd: ws.dir, env }), file)
  })

  it('loads an explicit file and resolves its paths from its own folder', async () => {
    const file = await ws.write('deploy/prod.yaml', yaml.replaceAll('./plugins/', '../plugins/'))
    const resolved = await loadConfig({ config: 'deploy/prod.yaml', cwd: ws.dir, env })
    expect(resolved.file).toBe(file)
    expect(resolved.dir).toBe(join(ws.dir, 'deploy'))
    expect(resolved.checkpoint.dir).toBe(join(ws.dir, 'deploy', '.qenus', 'checkpoints'))
    expect(resolved.sinks[1]?.use).toBe('../plugins/sink.mjs')
  })

  it('searches from a subfolder up to the project root', async () => {
    await ws.write('package.json', JSON.stringify({ name: 'app', private: true }))
    const file = await ws.write('qenus.config.json', json)
    const cwd = join(ws.dir, 'src', 'deep')
    await mkdir(cwd, { recursive: true })
    expectResolved(await loadConfig({ cwd, env }), file)
  })

  it('takes defaults from ${VAR:-default} when the variable is unset', async () => {
    await ws.write('qenus.config.json', json.replace('${RPC_URL}', '${RPC_URL:-http://127.0.0.1:8545}'))
    const resolved = await loadConfig({ cwd: ws.dir, env: {} })
    expect(resolved.chains[0]?.source.options).toEqual({ providers: ['http://127.0.0.1:8545'], batchSize: 100 })
  })

  it('fails with a ConfigError when no config is found', async () => {
    await ws.write('package.json', JSON.stringify({ name: 'app' }))
    const error = await loadConfig({ cwd: ws.dir, env }).catch((caught: unknown) => caught)
    expect(isConfigError(error)).toBe(true)
    expect((error as Error).message).toContain(`${ws.dir}: no config found`)
  })

  it('fails with a ConfigError naming the file when it is missing, empty or unparsable', async () => {
    const missing = await loadConfig({ config: 'nope.yaml', cwd: ws.dir }).catch((caught: unknown) => caught)
    expect((missing as Error).message).toContain(`${join(ws.dir, 'nope.yaml')}: cannot read the config: no such file`)
    const empty = await ws.write('empty.yaml', '')
    const emptyError = await loadConfig({ config: empty, cwd: ws.dir }).catch((caught: unknown) => caught)
    expect((emptyError as Error).message).toContain(`${empty}: the config is empty`)
    const broken = join(ws.dir, 'broken.json')
    await writeFile(broken, '{ "name": ')
    const brokenError = await loadConfig({ config: broken, cwd: ws.dir }).catch((caught: unknown) => caught)
    expect(isConfigError(brokenError)).toBe(true)
    expect((brokenError as Error).message).toContain(`${broken}: cannot read the config: JSON Error in ${broken}`)
  })
})
