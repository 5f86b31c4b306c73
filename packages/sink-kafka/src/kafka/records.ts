import type { Feature, FeatureCodec, RetractedFeature, Retraction } from '@qenus/core'
import { topicOf } from './topics.js'

/** One record on its way to a topic. @internal */
export interface OutRecord {
  /** Topic name. */
  topic: string
  /** `chainId:address`. */
  key: string
  /** Encoded value. */
  value: Buffer
  /** `kind`, `chainId`, `blockNumber`, `codec`. */
  headers: Record<string, string>
}

/** Where a feature went, so its retraction can follow it. @internal */
export interface Placement {
  topic: string
  key: string
  blockNumber: bigint
}

/** Value of the `kind` header on retraction records. */
export const RETRACTION_KIND = 'retraction'

const toBuffer = (payload: string | Uint8Array): Buffer =>
  typeof payload === 'string'
    ? Buffer.from(payload, 'utf8')
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)

/**
 * Encodes a feature as a record: key `chainId:address` keeps one pool in one partition.
 *
 * @internal
 */
export function featureRecord(feature: Feature, codec: FeatureCodec, prefix: string): OutRecord {
  return {
    topic: topicOf(prefix, feature.kind),
    key: `${feature.chainId}:${feature.address}`,
    value: toBuffer(codec.encode(feature)),
    headers: {
      kind: feature.kind,
      chainId: String(feature.chainId),
      blockNumber: feature.blockNumber.toString(),
      codec: codec.name,
    },
  }
}

/**
 * Encodes the retraction of one feature id: core's retraction record listing this single id, on
 * the withdrawn feature's topic and key. JSON values start with `"type":"retraction"`, as the
 * console sink writes them; every value also has the header `kind: retraction`.
 *
 * @internal
 */
export function retractionRecord(
  retraction: Retraction,
  id: string,
  placement: Placement,
  codec: FeatureCodec,
): OutRecord {
  const encoded = codec.encodeRetraction({ ...retraction, ids: [id] })
  const value = typeof encoded === 'string' ? `{"type":"retraction",${encoded.slice(1)}` : encoded
  return {
    topic: placement.topic,
    key: placement.key,
    value: toBuffer(value),
    headers: {
      kind: RETRACTION_KIND,
      chainId: String(retraction.chain.chainId),
      blockNumber: placement.blockNumber.toString(),
      codec: codec.name,
      retracts: id,
    },
  }
}

/**
 * Where the retraction of `id` goes: from the retraction's own `features` (the runtime lists the
 * kind and address of every withdrawn feature, across restarts too), the feature's topic and key
 * exactly as {@link featureRecord} placed it; for an id the retraction does not describe, the
 * kind's topic, read from the id, keyed by the chain id alone (`exact: false`). The block number
 * is the reverted block's whose hash the id names.
 *
 * @internal
 */
export function placementOf(
  id: string,
  retraction: Retraction,
  prefix: string,
  known?: RetractedFeature,
): (Placement & { exact: boolean }) | undefined {
  const [, blockHash, , kind] = id.split(':')
  const block = retraction.reverted.find((b) => b.hash === blockHash)
  const blockNumber = block?.number ?? retraction.to.number + 1n
  const { chainId } = retraction.chain
  try {
    if (known)
      return { topic: topicOf(prefix, known.kind), key: `${chainId}:${known.address}`, blockNumber, exact: true }
    return { topic: topicOf(prefix, kind as Feature['kind']), key: String(chainId), blockNumber, exact: false }
  } catch {
    return undefined
  }
}
