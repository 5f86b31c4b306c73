import { z } from '@qenus/core'

/** Options of the `parquet` sink. */
export const parquetSinkOptions = z.strictObject({
  /** Root folder of the archive; relative paths are resolved against the working directory. */
  dir: z
    .string()
    .min(1, 'expected a folder path')
    .describe('root folder of the archive (relative to the working directory)'),
  /**
   * Blocks a block must be below the head before it is archived. Omitted: the chain's
   * `finalityDepth`. `0` archives every block at once (a reorg then is logged as too deep).
   * @defaultValue the chain's finalityDepth
   */
  finality: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("blocks below the head before a block is archived; omitted: the chain's finalityDepth"),
  /**
   * Page compression.
   * @defaultValue `'snappy'`
   */
  compression: z
    .literal(['snappy', 'uncompressed'])
    .default('snappy')
    .describe("page compression: 'snappy' or 'uncompressed'"),
  /**
   * Rows per row group: readers load a row group at a time, so large groups cost memory.
   * @defaultValue `65536`
   */
  rowGroupSize: z.number().int().min(1).default(65_536).describe('rows per row group'),
  /**
   * Rows after which a part file closes (checked after each whole block).
   * @defaultValue `100000`
   */
  maxRows: z.number().int().min(1).default(100_000).describe('rows after which a part file closes'),
  /**
   * Bytes of the rows (their JSON size, a proxy measured on the data) after which a part closes.
   * @defaultValue `67108864` (64 MiB)
   */
  maxBytes: z
    .number()
    .int()
    .min(1)
    .default(64 * 1024 * 1024)
    .describe('JSON bytes of the rows after which a part closes'),
  /**
   * Seconds of block time from a part's first block after which it closes, so a rare kind still
   * reaches a file. Block time, not wall time, keeps part boundaries the same on a replay.
   * @defaultValue `3600`
   */
  maxAgeSeconds: z.number().int().min(1).default(3600).describe('seconds of block time after which a part closes'),
})

/** The validated options of the `parquet` sink. */
export type ParquetSinkOptions = z.output<typeof parquetSinkOptions>
