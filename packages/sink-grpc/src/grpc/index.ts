import { defineSink } from '@qenus/core'
import { grpcSinkOptions } from './options.js'
import { GrpcSink } from './sink.js'

/**
 * The `grpc` sink component: the `qenus.v1.Dataplane` service.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * sinks: [{ use: '@qenus/sink-grpc', port: 50051, token: '${QENUS_GRPC_TOKEN}' }]
 * ```
 */
export const grpcSink = defineSink({
  name: 'grpc',
  summary: 'Block-consistent snapshots and live feature streams over gRPC (qenus.v1.Dataplane).',
  stability: 'experimental',
  options: grpcSinkOptions,
  component: GrpcSink,
})
