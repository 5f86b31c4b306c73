import type { Retraction } from '../contracts/sink.js'
import { messageWriter, writeMessage } from './codec-proto-write.js'
import { type CodecSchema, codecSchema, type FieldSpec, type KindSpec } from './codec-schema.js'
import { type RetractionRecord, toRetractionRecord } from './codec-types.js'
import {
  annotate,
  codecError,
  describe,
  expected,
  FieldError,
  parseDecimal,
  repeatedOr,
  toCodecError,
} from './codec-values.js'
import type { Feature } from './feature.js'

const ENCODE = 'CODEC_ENCODE_FAILED'
const DECODE = 'CODEC_DECODE_FAILED'

/** protobufjs's decoded 64-bit values: `Long`s (from the `long` package) or plain numbers. */
interface LongLike {
  low: number
  high: number
}

function fromLong(value: unknown): bigint {
  if (typeof value === 'number') return BigInt(value)
  const long = value as LongLike
  return (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0)
}

/** An unset proto3 `bytes` field reads as protobufjs's shared empty default, not a Uint8Array. */
function toHexString(bytes: unknown): string {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return '0x'
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
}

// --- protobufjs values to TypeScript values

type Convert = (value: unknown) => unknown

/**
 * proto3 drops default values, so a required field may arrive unset: it then takes the default
 * (`0n`, `''`, `0`, `false`, `0x`, `[]`, an all-default message).
 */
function scalarFromWire(field: FieldSpec): Convert {
  switch (field.kind) {
    case 'hex':
      return toHexString
    case 'text':
      return (v) => (v == null ? '' : v)
    case 'decimal':
      return (v) => (v == null || v === '' ? 0n : (parseDecimal(v) ?? decodeFail(field, v)))
    case 'u64':
      return (v) => (v == null ? 0n : fromLong(v))
    case 'number':
      return field.long ? (v) => longToNumber(field, v) : (v) => (v == null ? 0 : v)
    case 'bool':
      return (v) => v === true
    case 'message': {
      const convert = objectFromWire(field.fields)
      return (v) => convert(v ?? {})
    }
  }
}

/** Signed 64-bit wire types: protobufjs hands them over as two's complement halves. */
const SIGNED_LONG_TYPES = new Set(['int64', 'sint64', 'sfixed64'])

function longToNumber(field: FieldSpec, value: unknown): number {
  if (value == null) return 0
  const raw = fromLong(value)
  const n = SIGNED_LONG_TYPES.has(field.protoType) ? BigInt.asIntN(64, raw) : raw
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : decodeFail(field, n)
}

function decodeFail(field: FieldSpec, value: unknown): never {
  throw new FieldError(
    `expected ${field.kind === 'decimal' ? 'a decimal integer string' : expected(field)}, got ${describe(value)}`,
  )
}

function objectFromWire(fields: FieldSpec[]): (msg: unknown) => Record<string, unknown> {
  const converters = fields.map((f) => repeatedOr(f, scalarFromWire(f), true))
  return (msg) => {
    const input = msg as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) {
      const { name, optional } = fields[i]
      // Presence, not the value: protobufjs's prototype defaults fill unset optional 64-bit fields.
      if (optional && (!Object.hasOwn(input, name) || input[name] == null)) continue
      const v = input[name]
      try {
        out[name] = converters[i](v)
      } catch (error) {
        annotate(error, name)
      }
    }
    return out
  }
}

interface ProtoTables {
  schema: CodecSchema
  envelopeFromWire: (msg: unknown) => Record<string, unknown>
  /** Per kind, the writer of a whole `Feature` with that kind's `data` member. */
  featureWriters: Map<string, (feature: unknown) => void>
  dataFromWire: Map<string, { kind: string; convert: (msg: unknown) => Record<string, unknown> }>
  retractionWriter: (obj: unknown) => void
  retractionFromWire: (msg: unknown) => Record<string, unknown>
}

let tables: ProtoTables | undefined

function protoTables(): ProtoTables {
  tables ??= buildTables(codecSchema())
  return tables
}

function buildTables(schema: CodecSchema): ProtoTables {
  const featureWriters: ProtoTables['featureWriters'] = new Map()
  const dataFromWire: ProtoTables['dataFromWire'] = new Map()
  for (const [kind, spec] of schema.kinds) {
    featureWriters.set(kind, messageWriter(schema.envelope, memberSpec(schema, spec)))
    dataFromWire.set(spec.member, { kind, convert: objectFromWire(spec.fields) })
  }
  return {
    schema,
    envelopeFromWire: objectFromWire(schema.envelope),
    featureWriters,
    dataFromWire,
    retractionWriter: messageWriter(schema.retractionFields),
    retractionFromWire: objectFromWire(schema.retractionFields),
  }
}

/** The `oneof data` member carrying `spec`, as a field of `Feature`. */
function memberSpec(schema: CodecSchema, spec: KindSpec): FieldSpec {
  const { id } = schema.feature.fields[spec.member]
  const base = { protoType: spec.type.name, repeated: false, optional: false, long: false, packed: false }
  return { ...base, name: spec.member, kind: 'message', fields: spec.fields, id, presence: true }
}

/**
 * Encodes a feature as a `qenus.v1.Feature` protobuf message.
 *
 * @param feature - The feature.
 * @returns The message bytes.
 * @throws A `CODEC_ENCODE_FAILED` `QenusError` naming the feature and the bad field.
 * @example
 * ```ts
 * import { decodeFeatureProto, encodeFeatureProto } from '@qenus/core'
 * const bytes = encodeFeatureProto(feature)
 * decodeFeatureProto(bytes) // deep-equals feature
 * ```
 */
export function encodeFeatureProto(feature: Feature): Uint8Array {
  const write = protoTables().featureWriters.get(feature.kind)
  if (!write)
    throw codecError(ENCODE, `feature ${JSON.stringify(feature.id)}`, `unknown kind ${describe(feature.kind)}`)
  try {
    return writeMessage(write, feature)
  } catch (error) {
    throw toCodecError(ENCODE, `feature ${JSON.stringify(feature.id)} (${feature.kind})`, error)
  }
}

function convertData(convert: (v: unknown) => Record<string, unknown>, data: unknown): Record<string, unknown> {
  try {
    return convert(data)
  } catch (error) {
    annotate(error, 'data')
  }
}

/**
 * Decodes a `qenus.v1.Feature` protobuf message.
 *
 * @param bytes - The message bytes.
 * @returns The feature, with bigints revived and absent optional fields left out.
 * @throws A `CODEC_DECODE_FAILED` `QenusError` when the bytes are not a valid feature.
 */
export function decodeFeatureProto(bytes: Uint8Array): Feature {
  const t = protoTables()
  const message = decodeMessage(t.schema.feature, bytes, 'feature') as unknown as Record<string, unknown>
  const where = `feature ${typeof message.id === 'string' && message.id ? JSON.stringify(message.id) : '(no id)'}`
  const member = message.data
  const data = typeof member === 'string' ? t.dataFromWire.get(member) : undefined
  if (!data) throw codecError(DECODE, where, 'no data case is set (unknown kind?)')
  try {
    const feature = t.envelopeFromWire(message)
    if (feature.kind !== data.kind) {
      annotate(new FieldError(`is ${describe(feature.kind)} but the data case is ${data.kind}`), 'kind')
    }
    feature.data = convertData(data.convert, message[member as string])
    return feature as unknown as Feature
  } catch (error) {
    throw toCodecError(DECODE, where, error)
  }
}

function decodeMessage(type: CodecSchema['feature'], bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) throw codecError(DECODE, what, `expected bytes, got ${describe(bytes)}`)
  try {
    return type.decode(bytes)
  } catch (cause) {
    throw codecError(DECODE, what, `not a valid ${type.fullName.slice(1)} message`, cause)
  }
}

/**
 * Encodes a retraction as a `qenus.v1.Retraction` protobuf message.
 *
 * @param retraction - The retraction, as the runtime hands it to sinks or in wire form.
 * @returns The message bytes.
 */
export function encodeRetractionProto(retraction: Retraction | RetractionRecord): Uint8Array {
  const t = protoTables()
  const record = toRetractionRecord(retraction)
  try {
    return writeMessage(t.retractionWriter, record)
  } catch (error) {
    throw toCodecError(ENCODE, `retraction of chain ${record.chainId}`, error)
  }
}

/**
 * Decodes a `qenus.v1.Retraction` protobuf message.
 *
 * @param bytes - The message bytes.
 * @returns The retraction in wire form.
 */
export function decodeRetractionProto(bytes: Uint8Array): RetractionRecord {
  const t = protoTables()
  const message = decodeMessage(t.schema.retraction, bytes, 'retraction')
  try {
    return t.retractionFromWire(message) as unknown as RetractionRecord
  } catch (error) {
    throw toCodecError(DECODE, 'retraction', error)
  }
}
