import type { FieldSpec } from './codec-schema.js'
import { annotate, describe, FieldError, fail, isUint64, isValidNumber, lowerHex } from './codec-values.js'

/**
 * Where 64-bit bigints go: in `data` always decimal strings; in the envelope and retractions
 * (block numbers, timestamps) JSON numbers, strings only past 2^53, which no chain reaches.
 * @internal
 */
export type JsonMode = 'data' | 'envelope'

/** Encodes the fields of one message as `"k":v,...` (no braces). @internal */
export type FieldsEncoder = (obj: Record<string, unknown>) => string

type Encode = (value: unknown) => string

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const HEX = /^0x(?:[0-9a-f]{2})*$/
// Plain strings skip JSON.stringify: only quotes, backslashes, controls and surrogates need care.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON must escape exactly these controls.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** The complete (slow-path) encoder of one value: validates, lower-cases hex, escapes text. */
function scalarEncoder(field: FieldSpec, mode: JsonMode): Encode {
  switch (field.kind) {
    case 'hex':
      return (v) => `"${lowerHex(v) ?? fail(field, v)}"`
    case 'text':
      return (v) => (typeof v !== 'string' ? fail(field, v) : NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`)
    case 'decimal':
      return (v) => (typeof v === 'bigint' ? `"${v}"` : fail(field, v))
    case 'u64':
      if (mode === 'envelope') {
        return (v) => (typeof v !== 'bigint' || !isUint64(v) ? fail(field, v) : v <= MAX_SAFE ? `${v}` : `"${v}"`)
      }
      return (v) => (typeof v === 'bigint' && isUint64(v) ? `"${v}"` : fail(field, v))
    case 'number':
      return (v) => (isValidNumber(field, v) ? `${v}` : fail(field, v))
    case 'bool':
      return (v) => (v === true ? 'true' : v === false ? 'false' : fail(field, v))
    case 'message': {
      const body = fieldsEncoder(field.fields, mode)
      return (v) => (typeof v === 'object' && v !== null ? `{${body(v as Record<string, unknown>)}}` : fail(field, v))
    }
  }
}

function valueEncoder(field: FieldSpec, mode: JsonMode): Encode {
  const one = scalarEncoder(field, mode)
  if (!field.repeated) return one
  return (v) => {
    if (!Array.isArray(v)) throw new FieldError(`expected an array, got ${describe(v)}`)
    let out = '['
    for (let i = 0; i < v.length; i++) {
      try {
        out += i === 0 ? one(v[i]) : `,${one(v[i])}`
      } catch (error) {
        annotate(error, i)
      }
    }
    return `${out}]`
  }
}

/**
 * The inline fast path of one field as a JS expression over `v`; anything it does not accept
 * falls to `slow(i, v)`, the complete encoder, which also names the field in its errors.
 */
function fastExpression(field: FieldSpec, i: number, mode: JsonMode): string {
  const slow = `slow(${i}, v)`
  if (field.repeated) return slow
  switch (field.kind) {
    case 'hex':
      return `(typeof v === 'string' && HEX.test(v) ? '"' + v + '"' : ${slow})`
    case 'text':
      return `(typeof v === 'string' && !NEEDS_ESCAPE.test(v) ? '"' + v + '"' : ${slow})`
    case 'decimal':
      return `(typeof v === 'bigint' ? '"' + v + '"' : ${slow})`
    case 'u64':
      return mode === 'envelope'
        ? `(typeof v === 'bigint' && v >= 0n && v <= MAX_SAFE ? '' + v : ${slow})`
        : `(typeof v === 'bigint' && v >= 0n && v <= 18446744073709551615n ? '"' + v + '"' : ${slow})`
    case 'bool':
      return `(v === true ? 'true' : v === false ? 'false' : ${slow})`
    case 'number':
      if (field.protoType === 'uint32') return `(typeof v === 'number' && v >>> 0 === v ? '' + v : ${slow})`
      if (field.protoType === 'sint32' || field.protoType === 'int32') {
        return `(typeof v === 'number' && (v | 0) === v ? '' + v : ${slow})`
      }
      return slow
    default:
      return slow
  }
}

/**
 * Compiles the encoder of one message's fields, in `.proto` order, skipping absent optionals.
 *
 * @remarks
 * The hot path of every JSON feed, so it is generated code, as protobufjs does: one straight-line
 * function per message with each field's key and checks inlined.
 * @internal
 */
export function fieldsEncoder(fields: FieldSpec[], mode: JsonMode): FieldsEncoder {
  const encoders = fields.map((f) => valueEncoder(f, mode))
  const slow = (i: number, v: unknown): string => {
    try {
      return encoders[i](v)
    } catch (error) {
      annotate(error, fields[i].name)
    }
  }
  const missing = (i: number, v: unknown): never => {
    annotate(new FieldError(`is required, got ${describe(v)}`), fields[i].name)
  }
  const memos: string[] = []
  const lines = ["let s = ''", 'let v']
  let started = false
  fields.forEach((field, i) => {
    const key = JSON.stringify(`"${field.name}":`)
    const separator = started ? `',' + ` : `(s === '' ? '' : ',') + `
    let expression = fastExpression(field, i, mode)
    // Addresses, chain and protocol names repeat from one feature to the next: remember the last.
    if (!field.repeated && (field.kind === 'hex' || field.kind === 'text')) {
      memos.push(`let m${i}, r${i}`)
      expression = `(v === m${i} ? r${i} : ((r${i} = ${expression}), (m${i} = v), r${i}))`
    }
    lines.push(`v = o[${JSON.stringify(field.name)}]`)
    const absent = field.optional ? '' : `missing(${i}, v)`
    lines.push(`if (v === undefined || v === null) { ${absent} } else s += ${separator}${key} + ${expression}`)
    started ||= !field.optional
  })
  lines.push('return s')
  const body = `${memos.join('\n')}\nreturn function encodeFields(o) {\n${lines.join('\n')}\n}`
  const factory = new Function('HEX', 'NEEDS_ESCAPE', 'MAX_SAFE', 'slow', 'missing', body)
  return factory(HEX, NEEDS_ESCAPE, MAX_SAFE, slow, missing) as FieldsEncoder
}
