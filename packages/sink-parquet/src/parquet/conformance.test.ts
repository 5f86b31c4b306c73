import { join } from 'node:path'
import { describeSinkConformance } from '@qenus/testkit'
import { readArchive, readRetractedIds } from '../test/duckdb.js'
import { parquetSinkOptions } from './options.js'
import { ParquetSink } from './sink.js'

const quiet = { warn: () => undefined, error: () => undefined }

// The suite reads back right after close(): finality 0 archives every block at once, so a revert
// there is a reorg deeper than the finality, which the sink removes from the archive and logs.
describeSinkConformance({
  name: '@qenus/sink-parquet',
  create: async ({ dir }) => {
    const archive = join(dir, 'archive')
    return {
      sink: new ParquetSink(parquetSinkOptions.parse({ dir: archive, finality: 0 }), quiet),
      readBack: async () => ({ features: await readArchive(archive), retractedIds: await readRetractedIds(archive) }),
    }
  },
})
