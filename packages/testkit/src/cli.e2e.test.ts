import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { resolveQenusBin, runQenus, testDir } from './cli.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

describe('qenus CLI helpers', () => {
  it('find the bin that packages/cli/package.json declares, and run it', async () => {
    const manifest = JSON.parse(await readFile(join(REPO, 'packages/cli/package.json'), 'utf8'))
    expect(resolveQenusBin(REPO)).toBe(join(REPO, 'packages/cli', manifest.bin.qenus))
    const result = await runQenus(['frobnicate'], { cwd: REPO })
    expect(result.code, result.stderr).toBe(2)
  })

  it('make a fresh folder under <root>/.qenus/test', async () => {
    const dir = await testDir('kit', REPO)
    expect(dir.startsWith(join(REPO, '.qenus', 'test') + sep)).toBe(true)
    expect(existsSync(dir)).toBe(true)
    await rm(dir, { recursive: true })
  })
})
