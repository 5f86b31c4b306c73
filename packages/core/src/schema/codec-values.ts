import type { Hex } from 'viem'
import { QenusError } from '../errors.js'
import type { FieldSpec } from './codec-schema.js'

/** `CODEC_ENCODE_FAILED` or `CODEC_DECODE_FAILED`. @internal */
export type CodecErrorCode = 'CODEC_ENCODE_FAILED' | 'CODEC_DECODE_FAILED'

/**
 * An error naming the record and the field that was wrong.
 * @internal
 */
export function codecError(code: CodecErrorCode, where: string, problem: string, cause?: unknown): QenusError {
  const verb = code === 'CODEC_ENCODE_FAILED' ? 'encode' : 'decode'
  return new QenusError(`cannot ${verb} ${where}: ${problem}`, { code, cause })
}

/**
 * A field problem inside a record; each level adds its key or index to `path` as it unwinds, and
 * the codec entry point turns it into a {@link codecError}.
 * @internal
 */
export class FieldError extends Error {
  /** Keys and indexes from the record root to the bad field. */
  readonly path: (string | number)[] = []
}

/** Adds `segment` to a {@link FieldError}'s path and rethrows any error. @internal */
export function annotate(error: unknown, segment: string | number): never {
  if (error instanceof FieldError) error.path.unshift(segment)
  throw error
}

/** Turns a {@link FieldError} into a codec error naming `where` and the field path. @internal */
export function toCodecError(code: CodecErrorCode, where: string, error: unknown): unknown {
  if (!(error instanceof FieldError)) return error
  const path = error.path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('')
  return codecError(code, where, `${path}: ${error.message}`)
}

/** Throws a {@link FieldError} saying what `field` expected. @internal */
export function fail(field: FieldSpec, value: unknown): never {
  throw new FieldError(`expected ${expected(field)}, got ${describe(value)}`)
}

const HEX = /^0x(?:[0-9a-f]{2})*$/
const ANY_CASE_HEX = /^0x(?:[0-9a-fA-F]{2})*$/
const DECIMAL = /^-?(?:0|[1-9][0-9]*)$/
const UINT64_MAX = (1n << 64n) - 1n

/** `value` as lower-case hex, or `undefined` when it is not even-length `0x` hex. @internal */
export function lowerHex(value: unknown): Hex | undefined {
  if (typeof value !== 'string') return undefined
  if (HEX.test(value)) return value as Hex
  return ANY_CASE_HEX.test(value) ? (value.toLowerCase() as Hex) : undefined
}

/** `text` as a bigint when it is a canonical decimal integer, else `undefined`. @internal */
export function parseDecimal(text: unknown): bigint | undefined {
  return typeof text === 'string' && DECIMAL.test(text) ? BigInt(text) : undefined
}

/** Whether `value` fits a uint64. @internal */
export function isUint64(value: bigint): boolean {
  return value >= 0n && value <= UINT64_MAX
}

/** Whether `value` is a valid JS number for the field's `.proto` type. @internal */
export function isValidNumber(field: FieldSpec, value: unknown): value is number {
  if (typeof value !== 'number') return false
  switch (field.protoType) {
    case 'double':
    case 'float':
      return Number.isFinite(value)
    case 'uint32':
    case 'fixed32':
      return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return Number.isInteger(value) && value >= -0x8000_0000 && value <= 0x7fff_ffff
    default:
      return Number.isSafeInteger(value) && (value >= 0 || !field.protoType.startsWith('u'))
  }
}

/** A short description of a value for error messages. @internal */
export function describe(value: unknown): string {
  if (typeof value === 'bigint') return `bigint ${value}`
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

/** What a field expects, for error messages. @internal */
export function expected(field: FieldSpec): string {
  switch (field.kind) {
    case 'hex':
      return 'even-length 0x hex'
    case 'decimal':
      return 'a bigint'
    case 'u64':
      return 'a bigint in uint64 range'
    case 'number':
      return `a number valid as ${field.protoType}`
    case 'message':
      return 'an object'
    case 'bool':
      return 'a boolean'
    default:
      return 'a string'
  }
}

/**
 * Compiles a converter of one message object: a fresh object with keys in `.proto` order, each
 * value through its field's converter, absent optionals left out, unknown keys ignored.
 * @internal
 */
export function messageConverter(
  fields: FieldSpec[],
  converters: ((value: unknown) => unknown)[],
): (obj: unknown) => Record<string, unknown> {
  return (obj) => {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new FieldError(`expected an object, got ${describe(obj)}`)
    }
    const input = obj as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) {
      const { name, optional } = fields[i]
      const v = input[name]
      if (v === undefined || v === null) {
        if (optional) continue
        annotate(new FieldError(`is required, got ${describe(v)}`), name)
      }
      try {
        out[name] = converters[i](v)
      } catch (error) {
        annotate(error, name)
      }
    }
    return out
  }
}

/**
 * Lifts a value converter to the field: as is for a single field, element by element (each error
 * naming its index) for a repeated one; `lenient` reads an absent repeated field as empty.
 * @internal
 */
export function repeatedOr(
  field: FieldSpec,
  one: (value: unknown) => unknown,
  lenient = false,
): (value: unknown) => unknown {
  if (!field.repeated) return one
  return (v) => {
    if (lenient && v == null) return []
    if (!Array.isArray(v)) throw new FieldError(`expected an array, got ${describe(v)}`)
    const out = new Array<unknown>(v.length)
    for (let i = 0; i < v.length; i++) {
      try {
        out[i] = one(v[i])
      } catch (error) {
        annotate(error, i)
      }
    }
    return out
  }
}
