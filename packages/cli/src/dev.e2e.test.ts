import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson } from '@qenus/core'
import { expect, it } from 'vitest'
import { runCli, tempDir } from './test/helpers.js'

it('qenus dev runs the embedded pipeline on a fresh devnet and ends cleanly', async () => {
  const dir = await tempDir('dev')
  const out = join(dir, 'features.jsonl')
  const result = await runCli(['dev', '--blocks', '6', '--rate', '5', '--out', out])
  expect(result.code, result.stderr).toBe(0)
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean)
  const features = lines.map((line) => decodeFeatureJson(line))
  expect(features.length).toBeGreaterThan(0)
  expect(new Set(features.map((f) => f.kind))).toEqual(new Set(['amm.swap', 'amm.liquidity', 'amm.pool']))
  // Six blocks of traffic.
  expect(new Set(features.map((f) => f.blockNumber)).size).toBe(6)
  // The console got exactly what the file got.
  expect(result.stdout.split('\n').filter(Boolean)).toEqual(lines)
})
