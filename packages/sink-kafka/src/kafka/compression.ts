import { QenusError } from '@qenus/core'
import kafkajs from 'kafkajs'
import type { KafkaSinkOptions } from './options.js'

const { CompressionTypes, CompressionCodecs } = kafkajs

type Compression = KafkaSinkOptions['compression']

/** What `CompressionCodecs` holds: a factory of `{ compress, decompress }`. */
type CodecFactory = () => unknown

/** The exports of a CommonJS codec package, as `import()` hands them over. */
type Loaded = { default?: unknown }

/** The kafkajs codec package of each optional compression, and how its README registers it. */
const CODEC_PACKAGES = {
  snappy: { pkg: 'kafkajs-snappy', type: CompressionTypes.Snappy, codec: (m: Loaded) => m.default as CodecFactory },
  lz4: {
    pkg: 'kafkajs-lz4',
    type: CompressionTypes.LZ4,
    codec: (m: Loaded) => new (m.default as new () => { codec: CodecFactory })().codec,
  },
  zstd: {
    pkg: '@kafkajs/zstd',
    type: CompressionTypes.ZSTD,
    codec: (m: Loaded) => (m.default as () => CodecFactory)(),
  },
} as const

/**
 * The kafkajs compression type of `compression`, registering its codec first when it comes from
 * an optional package.
 *
 * @throws `SINK_KAFKA_CODEC_MISSING` naming the package to install.
 * @internal
 */
export async function compressionType(compression: Compression): Promise<number> {
  if (compression === 'none') return CompressionTypes.None
  if (compression === 'gzip') return CompressionTypes.GZIP
  const { pkg, type, codec } = CODEC_PACKAGES[compression]
  let module: Loaded
  try {
    module = await import(pkg)
  } catch (error) {
    throw new QenusError(`kafka sink: compression "${compression}" needs the package ${pkg}`, {
      code: 'SINK_KAFKA_CODEC_MISSING',
      details: `install it beside @qenus/sink-kafka (npm install ${pkg}), or choose compression "gzip" or "none"`,
      cause: error,
    })
  }
  CompressionCodecs[type] = codec(module)
  return type
}
