import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineSink } from './define.js'
import { optionsTable, withOptionsTable } from './docs.js'

class Nothing {
  async write() {}
  async revert() {}
  async flush() {}
}

const sink = defineSink({
  name: 'doc',
  summary: 'for the docs test',
  stability: 'experimental',
  component: Nothing,
  options: z.strictObject({
    brokers: z.array(z.string()).min(1).describe('bootstrap servers | host:port'),
    codec: z.enum(['json', 'protobuf']).default('json').describe('wire format'),
    batch: z.number().int().default(1000).describe('messages per send'),
    pools: z
      .union([z.literal('all'), z.array(z.string())])
      .optional()
      .describe('which pools'),
  }),
})

describe('optionsTable', () => {
  it("renders every option from the schema: type, default or required, and the schema's description", () => {
    expect(optionsTable(sink)).toBe(
      [
        '| option | type | default | description |',
        '|---|---|---|---|',
        '| `brokers` | string[] | required | bootstrap servers \\| host:port |',
        '| `codec` | `"json"` \\| `"protobuf"` | `"json"` | wire format |',
        '| `batch` | integer | `1000` | messages per send |',
        '| `pools` | `"all"` \\| string[] |  | which pools |',
      ].join('\n'),
    )
  })

  it('replaces the table between the markers, and says when they are missing', () => {
    const readme = '# x\n<!-- options:start -->\nold\n<!-- options:end -->\nafter\n'
    expect(withOptionsTable(readme, 'new')).toBe('# x\n<!-- options:start -->\nnew\n<!-- options:end -->\nafter\n')
    expect(withOptionsTable('# no markers', 'new')).toBeUndefined()
  })
})
