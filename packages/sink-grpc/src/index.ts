/**
 * Qenus Dataplane gRPC service `qenus.v1.Dataplane`: block-consistent snapshots from the
 * pipeline's FeatureStore and live feature streams with replay, health and reflection.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { grpcSink } from './grpc/index.js'

export { grpcSink } from './grpc/index.js'
export { type GrpcSinkOptions, type GrpcTlsOptions, grpcSinkOptions, grpcTlsOptions } from './grpc/options.js'
export { DATAPLANE_PROTO, DATAPLANE_PROTO_FILE, SERVICE_NAME } from './grpc/proto.js'
export { STATE_KINDS } from './grpc/service.js'
export { GrpcSink } from './grpc/sink.js'
export { LAST_BLOCK_METADATA } from './grpc/subscription.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one sink, `grpc`. */
export default definePlugin({
  name: '@qenus/sink-grpc',
  version,
  apiVersion: '^0.1.0',
  components: { sinks: { grpc: grpcSink } },
})
