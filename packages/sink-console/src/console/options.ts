import { z } from '@qenus/core'

/** Options of the `console` sink. */
export const consoleSinkOptions = z.strictObject({
  /**
   * File to append JSON lines to; relative paths are resolved against the process's working
   * directory. Omitted: standard output.
   * @defaultValue stdout
   */
  path: z
    .string()
    .min(1, 'expected a file path, or omit path for stdout')
    .optional()
    .describe('file to append JSON lines to (relative to the working directory); omitted: stdout'),
  /**
   * Line encoding. Only `json` (core's JSON codec, one object per line) suits a console.
   * @defaultValue `'json'`
   */
  codec: z.literal('json').default('json').describe("line encoding: 'json'"),
  /**
   * Whether reverts print a `{"type":"retraction",...}` line listing the withdrawn feature ids.
   * @defaultValue `true`
   */
  retractions: z.boolean().default(true).describe('print a retraction line on every reorg'),
})

/** The validated options of the `console` sink. */
export type ConsoleSinkOptions = z.output<typeof consoleSinkOptions>
