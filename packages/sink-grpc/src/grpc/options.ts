import { z } from '@qenus/core'

const filePath = z.string().min(1, 'expected a file path')
const positive = (max: number) => z.number().int().min(1).max(max)

/** TLS settings of the `grpc` sink. */
export const grpcTlsOptions = z.strictObject({
  /** PEM certificate chain of the server. */
  cert: filePath.describe('PEM certificate chain of the server'),
  /** PEM private key of the server. */
  key: filePath.describe('PEM private key of the server'),
  /**
   * PEM CA bundle that client certificates must chain to. Set: mutual TLS, a client without a
   * valid certificate cannot connect.
   * @defaultValue no client certificates
   */
  ca: filePath.optional().describe('PEM CA bundle client certificates must chain to (mutual TLS)'),
})

/** Options of the `grpc` sink. */
export const grpcSinkOptions = z.strictObject({
  /**
   * Interface to listen on. Loopback by default: serving other hosts is a deliberate choice, and
   * should come with `tls` and `token`.
   * @defaultValue `'127.0.0.1'`
   */
  host: z.string().min(1).default('127.0.0.1').describe('interface to listen on (loopback by default)'),
  /**
   * TCP port; 0 picks a free one (see `GrpcSink.port`).
   * @defaultValue `50051`
   */
  port: z.number().int().min(0).max(65535).default(50051).describe('TCP port; 0 picks a free one'),
  /**
   * TLS certificate and key, and a CA for mutual TLS. Paths resolve against the working directory.
   * @defaultValue plaintext
   */
  tls: grpcTlsOptions.optional().describe('TLS: { cert, key, ca? } file paths; ca turns on mutual TLS'),
  /**
   * Bearer token every call must carry (`authorization: Bearer <token>`); use `${ENV}` so it stays
   * out of the file.
   * @defaultValue no token
   */
  token: z
    .string()
    .min(16, 'expected at least 16 characters')
    .optional()
    .describe('bearer token every call must carry (interpolate it from the environment)'),
  /**
   * Blocks per chain kept for StreamFeatures replay (`from_block`).
   * @defaultValue `128`
   */
  retainBlocks: positive(100_000).default(128).describe('blocks per chain kept for stream replay'),
  /**
   * How many feed messages a stream may fall behind the live feed before it ends with
   * RESOURCE_EXHAUSTED.
   * @defaultValue `10000`
   */
  maxBufferedMessages: positive(10_000_000)
    .default(10_000)
    .describe('messages a stream may fall behind before RESOURCE_EXHAUSTED'),
  /**
   * Open streams in total.
   * @defaultValue `256`
   */
  maxStreams: positive(100_000).default(256).describe('open streams in total'),
  /**
   * Open streams per client address.
   * @defaultValue `64`
   */
  maxStreamsPerClient: positive(100_000).default(64).describe('open streams per client address'),
  /**
   * Calls per second per client address (token bucket, burst of the same size).
   * @defaultValue `100`
   */
  callsPerSecondPerClient: positive(1_000_000).default(100).describe('calls per second per client address'),
  /**
   * Largest request message, bytes.
   * @defaultValue `65536`
   */
  maxRequestBytes: positive(64 * 1024 * 1024)
    .default(65_536)
    .describe('largest request message, bytes'),
  /**
   * Largest response message (a snapshot), bytes.
   * @defaultValue `67108864`
   */
  maxResponseBytes: positive(1024 * 1024 * 1024)
    .default(64 * 1024 * 1024)
    .describe('largest response message (a snapshot), bytes'),
})

/** The validated options of the `grpc` sink. */
export type GrpcSinkOptions = z.output<typeof grpcSinkOptions>
/** TLS settings, validated. */
export type GrpcTlsOptions = z.output<typeof grpcTlsOptions>
