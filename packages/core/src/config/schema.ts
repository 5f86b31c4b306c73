import { z } from 'zod'

const name = z.string().min(1, { error: 'expected a non-empty string' })
const nameList = z.array(name)

const forbidden = (hint: string) => z.undefined({ error: hint }).optional()

const entryKeys = {
  use: name,
  component: name.optional(),
  id: name.optional(),
}

const selector = z.strictObject({
  chains: nameList.optional(),
  kinds: nameList.optional(),
  protocols: nameList.optional(),
})

const sourceEntry = z.looseObject({
  ...entryKeys,
  chains: forbidden('a source runs on the chain it is configured under: remove chains'),
  select: forbidden('sources take no select: remove it'),
})

const extractorEntry = z.looseObject({
  ...entryKeys,
  chains: nameList.optional(),
  select: forbidden('extractors take chains, not select'),
})

const selectedEntry = z.looseObject({
  ...entryKeys,
  select: selector.optional(),
  chains: forbidden('write select: { chains: [...] } to narrow by chain'),
})

const finality = z.union([z.number().int().min(0), z.enum(['safe', 'finalized'])], {
  error: 'expected a block depth (an integer >= 0), "safe" or "finalized"',
})

const chainEntry = z.strictObject({
  source: sourceEntry,
  chainId: z.number().int().positive().optional(),
  finality: finality.optional(),
  blockTimeMs: z.number().int().positive().optional(),
})

const port = z.union([z.number().int().min(0).max(65_535), z.literal(false)], {
  error: 'expected a port number 0-65535 (0 picks a free one) or false',
})

/** Zod schema of a config file's top level; component options are checked by each component's own schema. */
export const configSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, {
    error: 'expected a name of letters, digits, ".", "_" and "-" (it names checkpoints and metrics)',
  }),
  chains: z.record(z.string(), chainEntry).refine((chains) => Object.keys(chains).length > 0, {
    error: 'expected at least one chain',
  }),
  extractors: z.array(extractorEntry).optional(),
  detectors: z.array(selectedEntry).optional(),
  sinks: z.array(selectedEntry).optional(),
  checkpoint: z
    .strictObject({
      dir: name.optional(),
      everyBlocks: z.number().int().min(1).optional(),
      everyMs: z.number().int().min(0).optional(),
    })
    .optional(),
  queue: z.strictObject({ maxBlocks: z.number().int().min(1).optional() }).optional(),
  server: z.strictObject({ host: name.optional(), port: port.optional() }).optional(),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional() })
    .optional(),
})

/** The top level of a config after shape validation. @internal */
export type ParsedConfig = z.infer<typeof configSchema>

/**
 * The JSON Schema (draft 2020-12) of a config file's top level, for editors and docs.
 *
 * @remarks
 * Component entries allow any further keys: their options are described by each component's own
 * schema.
 *
 * @returns A JSON Schema object.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * import { configJsonSchema } from '@qenus/core'
 * writeFileSync('qenus.schema.json', JSON.stringify(configJsonSchema(), null, 2))
 * ```
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
}
