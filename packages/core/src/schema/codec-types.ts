import type { BlockRef } from '../contracts/chain.js'
import type { Retraction } from '../contracts/sink.js'
import type { Feature } from './feature.js'

/**
 * A {@link Retraction} as it travels on a feed (`qenus.v1.Retraction`): the chain by id and name
 * instead of its full `ChainInfo`.
 */
export interface RetractionRecord {
  /** EIP-155 chain id of the chain that reorganised. */
  chainId: number
  /** Chain name from the config. */
  chain: string
  /** The last block still canonical. */
  to: BlockRef
  /** The withdrawn blocks, newest first. */
  reverted: BlockRef[]
  /** Ids of the withdrawn features, newest block first, then in reverse log order. */
  ids: string[]
}

/**
 * The wire form of a retraction.
 *
 * @param retraction - A retraction as the runtime hands it to sinks, or one already in wire form.
 * @returns The record the codecs encode.
 */
export function toRetractionRecord(retraction: Retraction | RetractionRecord): RetractionRecord {
  if (typeof retraction.chain === 'string') return retraction as RetractionRecord
  const { chain, to, reverted, ids } = retraction as Retraction
  return { chainId: chain.chainId, chain: chain.name, to, reverted, ids }
}

/** Names of the built-in codecs. */
export type CodecName = 'json' | 'protobuf'

/**
 * Turns features and retractions into feed payloads and back, exactly: bigints come back as
 * bigints, absent optional fields stay absent, hex is lower-case.
 *
 * @typeParam Payload - `string` for JSON, `Uint8Array` for protobuf.
 */
export interface FeatureCodec<Payload extends Uint8Array | string = Uint8Array | string> {
  /** Codec name, as configs and Kafka headers name it. */
  readonly name: CodecName
  /** MIME type of one encoded record. */
  readonly contentType: string
  /** Encodes one feature. */
  encode(feature: Feature): Payload
  /** Decodes one feature; JSON also accepts UTF-8 bytes. Throws a `CODEC_DECODE_FAILED` error. */
  decode(payload: Uint8Array | string): Feature
  /** Encodes one retraction. */
  encodeRetraction(retraction: Retraction | RetractionRecord): Payload
  /** Decodes one retraction. */
  decodeRetraction(payload: Uint8Array | string): RetractionRecord
}
