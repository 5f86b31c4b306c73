import { QenusError } from '../errors.js'
import type { CodecName, FeatureCodec } from './codec-types.js'
import { decodeFeatureJson, decodeRetractionJson, encodeFeatureJson, encodeRetractionJson } from './json.js'
import { decodeFeatureProto, decodeRetractionProto, encodeFeatureProto, encodeRetractionProto } from './protobuf.js'

/**
 * The JSON lines codec (the default feed format): one JSON object per record, bigints in `data` as
 * decimal strings.
 */
export const jsonCodec: FeatureCodec<string> = Object.freeze({
  name: 'json',
  contentType: 'application/json',
  encode: encodeFeatureJson,
  decode: decodeFeatureJson,
  encodeRetraction: encodeRetractionJson,
  decodeRetraction: decodeRetractionJson,
})

/** The protobuf codec: `qenus.v1.Feature` and `qenus.v1.Retraction` from `features.proto`. */
export const protobufCodec: FeatureCodec<Uint8Array> = Object.freeze({
  name: 'protobuf',
  contentType: 'application/x-protobuf',
  encode: encodeFeatureProto,
  decode: (payload: Uint8Array | string) => decodeFeatureProto(bytesOf(payload)),
  encodeRetraction: encodeRetractionProto,
  decodeRetraction: (payload: Uint8Array | string) => decodeRetractionProto(bytesOf(payload)),
})

function bytesOf(payload: Uint8Array | string): Uint8Array {
  if (typeof payload === 'string') {
    throw new QenusError('cannot decode protobuf from a string: pass the message bytes', {
      code: 'CODEC_DECODE_FAILED',
    })
  }
  return payload
}

/**
 * The built-in codec called `name`.
 *
 * @param name - `json` or `protobuf`.
 * @returns The codec.
 * @throws A `CODEC_UNKNOWN` `QenusError` for any other name.
 * @example
 * ```ts
 * import { getCodec } from '@qenus/core'
 * const codec = getCodec('protobuf')
 * const value = codec.encode(feature) // Uint8Array
 * ```
 */
export function getCodec(name: 'json'): FeatureCodec<string>
export function getCodec(name: 'protobuf'): FeatureCodec<Uint8Array>
export function getCodec(name: CodecName): FeatureCodec
export function getCodec(name: CodecName): FeatureCodec {
  if (name === 'json') return jsonCodec
  if (name === 'protobuf') return protobufCodec
  throw new QenusError(`unknown codec ${JSON.stringify(name)}: expected "json" or "protobuf"`, {
    code: 'CODEC_UNKNOWN',
  })
}
