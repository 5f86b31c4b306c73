import type { Retraction } from '../contracts/sink.js'
import { type CodecSchema, codecSchema } from './codec-schema.js'
import { type RetractionRecord, toRetractionRecord } from './codec-types.js'
import { annotate, codecError, describe, FieldError, toCodecError } from './codec-values.js'
import type { Feature } from './feature.js'
import { type ObjectDecoder, objectDecoder } from './json-decode.js'
import { type FieldsEncoder, fieldsEncoder } from './json-encode.js'

const ENCODE = 'CODEC_ENCODE_FAILED'
const DECODE = 'CODEC_DECODE_FAILED'

interface JsonCodecTables {
  envelope: FieldsEncoder
  data: Map<string, FieldsEncoder>
  retraction: FieldsEncoder
  envelopeDecoder: ObjectDecoder
  dataDecoders: Map<string, ObjectDecoder>
  retractionDecoder: ObjectDecoder
}

let tables: JsonCodecTables | undefined

function jsonTables(): JsonCodecTables {
  tables ??= buildTables(codecSchema())
  return tables
}

function buildTables(schema: CodecSchema): JsonCodecTables {
  const data = new Map<string, FieldsEncoder>()
  const dataDecoders = new Map<string, ObjectDecoder>()
  for (const [kind, spec] of schema.kinds) {
    data.set(kind, fieldsEncoder(spec.fields, 'data'))
    dataDecoders.set(kind, objectDecoder(spec.fields, 'data'))
  }
  return {
    envelope: fieldsEncoder(schema.envelope, 'envelope'),
    data,
    retraction: fieldsEncoder(schema.retractionFields, 'envelope'),
    envelopeDecoder: objectDecoder(schema.envelope, 'envelope'),
    dataDecoders,
    retractionDecoder: objectDecoder(schema.retractionFields, 'envelope'),
  }
}

/**
 * Encodes a feature as one JSON line (no trailing newline).
 *
 * @remarks
 * Keys come in a fixed order (the envelope as in {@link Feature}, then `data` in `.proto` order),
 * so equal features give byte-equal JSON whichever source produced them. Every bigint in `data` is
 * a decimal string; the envelope's `blockNumber` and `blockTimestamp` are JSON numbers. Hex is
 * lower-cased; absent optional fields are left out.
 *
 * @param feature - The feature.
 * @returns The JSON text.
 * @throws A `CODEC_ENCODE_FAILED` `QenusError` naming the feature and the bad field.
 * @example
 * ```ts
 * import { encodeFeatureJson } from '@qenus/core'
 * process.stdout.write(`${encodeFeatureJson(feature)}\n`)
 * ```
 */
export function encodeFeatureJson(feature: Feature): string {
  const t = jsonTables()
  const data = t.data.get(feature.kind)
  if (!data) throw codecError(ENCODE, `feature ${JSON.stringify(feature.id)}`, `unknown kind ${describe(feature.kind)}`)
  try {
    const head = t.envelope(feature as unknown as Record<string, unknown>)
    return `{${head},"data":{${encodeData(data, feature.data)}}}`
  } catch (error) {
    throw toCodecError(ENCODE, `feature ${JSON.stringify(feature.id)} (${feature.kind})`, error)
  }
}

function encodeData(encode: FieldsEncoder, data: unknown): string {
  try {
    if (typeof data !== 'object' || data === null) throw new FieldError(`expected an object, got ${describe(data)}`)
    return encode(data as Record<string, unknown>)
  } catch (error) {
    annotate(error, 'data')
  }
}

/**
 * Decodes a feature from its JSON text (as {@link encodeFeatureJson} writes it).
 *
 * @remarks
 * Bigint fields, known from `features.proto`, come back as `bigint`; unknown keys are ignored, so
 * a newer producer may add fields.
 *
 * @param payload - JSON text, or its UTF-8 bytes (a Kafka message value).
 * @returns The feature.
 * @throws A `CODEC_DECODE_FAILED` `QenusError` naming the feature and the bad field.
 */
export function decodeFeatureJson(payload: string | Uint8Array): Feature {
  const parsed = parseJson(payload, 'feature')
  const t = jsonTables()
  try {
    const feature = t.envelopeDecoder(parsed)
    const decodeData = t.dataDecoders.get(feature.kind as string)
    if (!decodeData) annotate(new FieldError(`unknown kind ${describe(feature.kind)}`), 'kind')
    feature.data = decodeNested(decodeData, (parsed as Record<string, unknown>).data, 'data')
    return feature as unknown as Feature
  } catch (error) {
    throw toCodecError(DECODE, whereFeature(parsed), error)
  }
}

function whereFeature(parsed: unknown): string {
  const id = (parsed as Record<string, unknown> | null)?.id
  return typeof id === 'string' ? `feature ${JSON.stringify(id)}` : 'feature JSON'
}

function decodeNested(decode: ObjectDecoder, value: unknown, name: string): unknown {
  try {
    if (value === undefined || value === null) throw new FieldError(`is required, got ${describe(value)}`)
    return decode(value)
  } catch (error) {
    annotate(error, name)
  }
}

function parseJson(payload: string | Uint8Array, what: string): unknown {
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw codecError(DECODE, `${what} JSON`, 'not valid JSON', cause)
  }
}

/**
 * Encodes a retraction as one JSON line. Block numbers are JSON numbers.
 *
 * @param retraction - The retraction, as the runtime hands it to sinks or in wire form.
 * @returns The JSON text.
 */
export function encodeRetractionJson(retraction: Retraction | RetractionRecord): string {
  const record = toRetractionRecord(retraction)
  try {
    return `{${jsonTables().retraction(record as unknown as Record<string, unknown>)}}`
  } catch (error) {
    throw toCodecError(ENCODE, `retraction of chain ${record.chainId}`, error)
  }
}

/**
 * Decodes a retraction from its JSON text.
 *
 * @param payload - JSON text or its UTF-8 bytes.
 * @returns The retraction in wire form.
 */
export function decodeRetractionJson(payload: string | Uint8Array): RetractionRecord {
  const parsed = parseJson(payload, 'retraction')
  try {
    return jsonTables().retractionDecoder(parsed) as unknown as RetractionRecord
  } catch (error) {
    throw toCodecError(DECODE, 'retraction JSON', error)
  }
}
