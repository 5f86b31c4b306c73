import type { FieldSpec } from './codec-schema.js'
import {
  describe,
  expected,
  FieldError,
  isUint64,
  isValidNumber,
  lowerHex,
  messageConverter,
  parseDecimal,
  repeatedOr,
} from './codec-values.js'
import type { JsonMode } from './json-encode.js'

/** Decodes one parsed JSON message into a fresh object. @internal */
export type ObjectDecoder = (obj: unknown) => Record<string, unknown>

type Decode = (value: unknown) => unknown

function failJson(field: FieldSpec, mode: JsonMode, value: unknown): never {
  throw new FieldError(`expected ${expectedJson(field, mode)}, got ${describe(value)}`)
}

function expectedJson(field: FieldSpec, mode: JsonMode): string {
  if (field.kind === 'decimal') return 'a decimal integer string'
  if (field.kind === 'u64')
    return mode === 'envelope' ? 'a safe integer or a decimal string' : 'a decimal uint64 string'
  return expected(field)
}

function scalarDecoder(field: FieldSpec, mode: JsonMode): Decode {
  switch (field.kind) {
    case 'hex':
      return (v) => lowerHex(v) ?? failJson(field, mode, v)
    case 'text':
      return (v) => (typeof v === 'string' ? v : failJson(field, mode, v))
    case 'decimal':
      return (v) => parseDecimal(v) ?? failJson(field, mode, v)
    case 'u64':
      return (v) => {
        if (mode === 'envelope' && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
        const n = parseDecimal(v)
        return n !== undefined && isUint64(n) ? n : failJson(field, mode, v)
      }
    case 'number':
      return (v) => (isValidNumber(field, v) ? v : failJson(field, mode, v))
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : failJson(field, mode, v))
    case 'message':
      return objectDecoder(field.fields, mode)
  }
}

function valueDecoder(field: FieldSpec, mode: JsonMode): Decode {
  return repeatedOr(field, scalarDecoder(field, mode))
}

/**
 * Compiles the decoder of one message: a fresh object with keys in `.proto` order, bigints
 * revived, `null` or absent optionals left out, unknown keys ignored (a newer producer may add
 * fields).
 * @internal
 */
export function objectDecoder(fields: FieldSpec[], mode: JsonMode): ObjectDecoder {
  return messageConverter(
    fields,
    fields.map((f) => valueDecoder(f, mode)),
  )
}
