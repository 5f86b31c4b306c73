import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runQenus, testDir } from '@qenus/testkit'
import { expect, it } from 'vitest'

const README = new URL('../../../README.md', import.meta.url)

/** Every `qenus.config.ts` block of the root README, as written there. */
async function readmeConfigs(): Promise<string[]> {
  const text = await readFile(README, 'utf8')
  return [...text.matchAll(/```ts\n(\/\/ qenus\.config\.ts\n[\s\S]*?)```/g)].map((match) => match[1]!)
}

it('validates every config example of the README with the real CLI, plugins and all', async () => {
  const configs = await readmeConfigs()
  expect(configs.length).toBeGreaterThanOrEqual(2)
  const env = {
    ETH_RPC_URL: 'http://127.0.0.1:8545',
    ARB_RPC_URL: 'http://127.0.0.1:8547',
    KAFKA_BROKERS: '127.0.0.1:9092',
    QENUS_GRPC_TOKEN: 'a-token-of-at-least-16-chars',
  }
  for (const [i, config] of configs.entries()) {
    const dir = await testDir(`readme-${i}`)
    const file = join(dir, 'qenus.config.mjs')
    await writeFile(file, config)
    const result = await runQenus(['validate', '--config', file], { cwd: dir, env })
    expect(result.code, `README example ${i + 1}:\n${result.stderr}`).toBe(0)
    expect(result.stdout).toContain(': ok, pipeline')
  }
})
