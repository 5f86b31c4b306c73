import { expect, it } from 'vitest'
// @ts-expect-error a plain ESM script without types
import { readmes } from './readme-options.mjs'

it("every plugin package's README shows the options table its schemas generate", async () => {
  const all = (await readmes()) as { package: string; current: string; expected: string | undefined }[]
  expect(all.map((r) => r.package)).toContain('@qenus/sink-console')
  for (const readme of all) {
    expect(
      readme.expected,
      `${readme.package}: README needs <!-- options:start --> … <!-- options:end -->`,
    ).toBeDefined()
    expect(readme.current, `${readme.package}: run node scripts/readme-options.mjs`).toBe(readme.expected)
  }
})
