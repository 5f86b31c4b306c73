import { Counter, Gauge, type Registry } from 'prom-client'

/** The sink's own metrics. @internal */
export interface GrpcMetrics {
  /** Calls refused before their handler, by reason (`unauthenticated`, `rate-limited`). */
  refused: Counter<'reason'>
  /** Open streams. */
  streams: Gauge
  /** Streams ended with RESOURCE_EXHAUSTED for falling behind. */
  evicted: Counter
  /** Mempool features given to `writePending`, by outcome (`fed` to streams, `unwanted` by every open stream). */
  pending: Counter<'outcome'>
}

/** Registers the metrics once per registry; two gRPC sinks in one pipeline share them. @internal */
export function grpcMetrics(registry: Registry): GrpcMetrics {
  const existing = (name: string) => registry.getSingleMetric(name)
  const registers = [registry]
  return {
    refused: (existing('qenus_grpc_refused_calls_total') ??
      new Counter({
        name: 'qenus_grpc_refused_calls_total',
        help: 'gRPC calls refused before their handler, by reason',
        labelNames: ['reason'],
        registers,
      })) as Counter<'reason'>,
    streams: (existing('qenus_grpc_open_streams') ??
      new Gauge({ name: 'qenus_grpc_open_streams', help: 'open gRPC feature streams', registers })) as Gauge,
    evicted: (existing('qenus_grpc_evicted_streams_total') ??
      new Counter({
        name: 'qenus_grpc_evicted_streams_total',
        help: 'gRPC streams ended with RESOURCE_EXHAUSTED for falling behind the feed',
        registers,
      })) as Counter,
    pending: (existing('qenus_grpc_pending_features_total') ??
      new Counter({
        name: 'qenus_grpc_pending_features_total',
        help: 'mempool features given to the gRPC sink, by outcome: fed to streams, or unwanted by every open stream',
        labelNames: ['outcome'],
        registers,
      })) as Counter<'outcome'>,
  }
}
