import protobuf from 'protobufjs'
import type { FieldSpec } from './codec-schema.js'
import { annotate, describe, FieldError, fail, isUint64, isValidNumber } from './codec-values.js'

/**
 * A reused scratch buffer that protobuf messages are written into, byte for byte as protobufjs's
 * generated encoders write them (fields by number, proto3 defaults skipped unless the field has
 * presence, the same UTF-8 writer), without first building protobufjs's object tree.
 * Encoding is synchronous, so one buffer serves every call.
 */
let buf = Buffer.allocUnsafe(16 * 1024)
let pos = 0

const utf8Write = protobuf.util.utf8.write
const MAX_UINT32 = 0xffff_ffffn
/** Nibble of every UTF-16 code unit, -1 when not a hex digit: validating while writing beats a regex. */
const NIBBLE = new Int8Array(0x10000).fill(-1)
for (let c = 0; c < 16; c++) {
  NIBBLE[c.toString(16).charCodeAt(0)] = c
  NIBBLE[c.toString(16).toUpperCase().charCodeAt(0)] = c
}

function reserve(n: number): void {
  if (pos + n <= buf.length) return
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n))
  buf.copy(next, 0, 0, pos)
  buf = next
}

function varint32(value: number): void {
  reserve(5)
  let v = value >>> 0
  while (v > 127) {
    buf[pos++] = (v & 127) | 128
    v >>>= 7
  }
  buf[pos++] = v
}

function varint64(low: number, high: number): void {
  reserve(10)
  let lo = low >>> 0
  let hi = high >>> 0
  while (hi) {
    buf[pos++] = (lo & 127) | 128
    lo = ((lo >>> 7) | (hi << 25)) >>> 0
    hi >>>= 7
  }
  while (lo > 127) {
    buf[pos++] = (lo & 127) | 128
    lo >>>= 7
  }
  buf[pos++] = lo
}

/** A uint64 (or a two's complement int64 already wrapped to 64 bits) as a varint. */
function varintBig(value: bigint): void {
  if (value <= MAX_UINT32) varint32(Number(value))
  else varint64(Number(value & MAX_UINT32), Number(value >> 32n))
}

/** Opens a length-delimited record: one byte is kept for the length, widened at {@link close}. */
function open(): number {
  reserve(1)
  return pos++
}

function close(at: number): void {
  const len = pos - at - 1
  if (len < 128) {
    buf[at] = len
    return
  }
  const width = len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5
  reserve(width - 1)
  buf.copyWithin(at + width, at + 1, pos)
  pos += width - 1
  const end = pos
  pos = at
  varint32(len)
  pos = end
}

/** protobufjs's `BufferWriter.string`, so even lone surrogates come out the same. */
function string(value: string): void {
  const n = value.length
  if (n === 0) {
    reserve(1)
    buf[pos++] = 0
  } else if (n < 128) {
    reserve(n * 3 + 5)
    const at = pos++
    pos += n < 40 ? utf8Write(value, buf, pos) : buf.write(value, pos)
    close(at)
  } else {
    const len = Buffer.byteLength(value)
    varint32(len)
    reserve(len)
    pos += buf.write(value, pos)
  }
}

function isHexShape(value: unknown): value is string {
  return (
    typeof value === 'string' && (value.length & 1) === 0 && value.charCodeAt(0) === 48 && value.charCodeAt(1) === 120
  )
}

/**
 * Even-length `0x` hex of either case (the same bytes) as length-prefixed bytes; `false`, with
 * nothing written, when a digit is not hex.
 */
function hexBytes(hex: string): boolean {
  const start = pos
  const n = (hex.length - 2) >>> 1
  varint32(n)
  reserve(n)
  for (let i = 2; i < hex.length; i += 2) {
    const high = NIBBLE[hex.charCodeAt(i)]
    const low = NIBBLE[hex.charCodeAt(i + 1)]
    if ((high | low) < 0) {
      pos = start
      return false
    }
    buf[pos++] = (high << 4) | low
  }
  return true
}

/** Writes one value, its tag first unless `tag` is negative (inside a packed record). */
type Write = (value: unknown, tag: number, implicit: boolean) => void

const WIRE_TYPE: Record<string, number> = { double: 1, fixed64: 1, sfixed64: 1, float: 5, fixed32: 5, sfixed32: 5 }

function tagged(tag: number): void {
  if (tag >= 0) varint32(tag)
}

function numberWriter(field: FieldSpec): Write {
  const isDefault = field.protoType === 'double' || field.protoType === 'float' ? Object.is : sameAsZero
  const put = numberPut(field.protoType)
  return (v, tag, implicit) => {
    if (!isValidNumber(field, v)) fail(field, v)
    if (implicit && isDefault(v, 0)) return
    tagged(tag)
    put(v)
  }
}

function sameAsZero(a: number, b: number): boolean {
  return a === b
}

function numberPut(protoType: string): (v: number) => void {
  switch (protoType) {
    case 'uint32':
      return varint32
    case 'int32':
      return (v) => (v < 0 ? varint64(v, -1) : varint32(v))
    case 'sint32':
      return (v) => varint32((v << 1) ^ (v >> 31))
    case 'uint64':
    case 'int64':
      return (v) => varintBig(BigInt.asUintN(64, BigInt(v)))
    case 'sint64':
      return (v) => varintBig(BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n)))
    default:
      return fixedPut(protoType)
  }
}

function fixedPut(protoType: string): (v: number) => void {
  const width = WIRE_TYPE[protoType] === 1 ? 8 : 4
  const put: Record<string, (v: number) => void> = {
    double: (v) => buf.writeDoubleLE(v, pos),
    float: (v) => buf.writeFloatLE(v, pos),
    fixed32: (v) => buf.writeUInt32LE(v, pos),
    sfixed32: (v) => buf.writeInt32LE(v, pos),
    fixed64: (v) => buf.writeBigUInt64LE(BigInt(v), pos),
    sfixed64: (v) => buf.writeBigInt64LE(BigInt(v), pos),
  }
  const one = put[protoType]
  return (v) => {
    reserve(width)
    one(v)
    pos += width
  }
}

function scalarWriter(field: FieldSpec): Write {
  switch (field.kind) {
    case 'hex':
      return (v, tag, implicit) => {
        if (!isHexShape(v)) fail(field, v)
        if (implicit && v.length === 2) return
        tagged(tag)
        if (!hexBytes(v)) fail(field, v)
      }
    case 'text':
      return (v, tag, implicit) => {
        if (typeof v !== 'string') fail(field, v)
        if (implicit && v === '') return
        tagged(tag)
        string(v)
      }
    case 'decimal':
      return (v, tag) => {
        if (typeof v !== 'bigint') fail(field, v)
        tagged(tag)
        string(v.toString())
      }
    case 'u64':
      return (v, tag, implicit) => {
        if (typeof v !== 'bigint' || !isUint64(v)) fail(field, v)
        if (implicit && v === 0n) return
        tagged(tag)
        varintBig(v)
      }
    case 'number':
      return numberWriter(field)
    case 'bool':
      return (v, tag, implicit) => {
        if (typeof v !== 'boolean') fail(field, v)
        if (implicit && !v) return
        tagged(tag)
        reserve(1)
        buf[pos++] = v ? 1 : 0
      }
    case 'message': {
      const body = messageWriter(field.fields)
      return (v, tag) => {
        tagged(tag)
        const at = open()
        body(v)
        close(at)
      }
    }
  }
}

function wireType(field: FieldSpec): number {
  if (field.kind === 'message' || field.kind === 'hex' || field.kind === 'text' || field.kind === 'decimal') return 2
  return WIRE_TYPE[field.protoType] ?? 0
}

/** Writes one field of a message: skipped when absent (or an implicit default), every element when repeated. */
function fieldWriter(field: FieldSpec): (value: unknown) => void {
  const one = scalarWriter(field)
  const tag = field.id * 8 + wireType(field)
  const implicit = !field.presence && field.kind !== 'message'
  if (!field.repeated) return (v) => one(v, tag, implicit)
  const packed = field.packed && wireType(field) !== 2
  return (v) => {
    if (!Array.isArray(v)) throw new FieldError(`expected an array, got ${describe(v)}`)
    if (v.length === 0) return
    if (packed) varint32(field.id * 8 + 2)
    const at = packed ? open() : -1
    for (let i = 0; i < v.length; i++) {
      try {
        one(v[i], packed ? -1 : tag, false)
      } catch (error) {
        annotate(error, i)
      }
    }
    if (packed) close(at)
  }
}

/** One entry of a message writer: a field, or the `data` member that carries a feature's kind. */
interface Entry {
  field: FieldSpec
  write: (value: unknown) => void
  /** Where the value sits in the object (`data` for the member), and what an error calls it. */
  key: string
  /** Absent is an error of the value (the member: "expected an object"), not "is required". */
  always: boolean
}

/**
 * Compiles the writer of one message's fields in field-number order: absent optionals left out,
 * absent required fields and wrong values named by their path, unknown keys ignored.
 * @internal
 */
export function messageWriter(fields: FieldSpec[], member?: FieldSpec): (obj: unknown) => void {
  const entries: Entry[] = fields.map((field) => ({ field, write: fieldWriter(field), key: field.name, always: false }))
  if (member) entries.push({ field: member, write: fieldWriter(member), key: 'data', always: true })
  entries.sort((a, b) => a.field.id - b.field.id)
  return (obj) => {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new FieldError(`expected an object, got ${describe(obj)}`)
    }
    const input = obj as Record<string, unknown>
    for (let i = 0; i < entries.length; i++) {
      const { field, write, key, always } = entries[i]
      const v = input[key]
      if ((v === undefined || v === null) && !always) {
        if (field.optional) continue
        annotate(new FieldError(`is required, got ${describe(v)}`), key)
      }
      try {
        write(v)
      } catch (error) {
        annotate(error, key)
      }
    }
  }
}

/**
 * Runs `write` into the scratch buffer and returns a copy of what it wrote.
 * @internal
 */
export function writeMessage(write: (obj: unknown) => void, obj: unknown): Uint8Array {
  pos = 0
  write(obj)
  const out = Buffer.allocUnsafe(pos)
  buf.copy(out, 0, 0, pos)
  return out
}
