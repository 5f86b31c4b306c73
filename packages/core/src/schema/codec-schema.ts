import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { QenusError } from '../errors.js'
import type { FeatureKind } from './feature.js'

/**
 * Absolute path of `features.proto`, the wire format of every feed (package `qenus.v1`).
 *
 * @remarks
 * It imports `google/protobuf/descriptor.proto` for its custom options; load it with
 * {@link protoIncludeDirs} on the include path (e.g. `@grpc/proto-loader`'s `includeDirs`).
 */
export const PROTO_FILE: string = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'proto',
  'qenus',
  'v1',
  'features.proto',
)

/**
 * The absolute path of `features.proto`.
 *
 * @returns The same value as {@link PROTO_FILE}.
 * @example
 * ```ts
 * import { protoPath, protoIncludeDirs } from '@qenus/core'
 * import { loadSync } from '@grpc/proto-loader'
 * const definition = loadSync(protoPath(), { includeDirs: protoIncludeDirs() })
 * ```
 */
export function protoPath(): string {
  return PROTO_FILE
}

/**
 * The include directories `features.proto` needs: its own root (so `qenus/v1/features.proto`
 * resolves) and the folder holding `google/protobuf/descriptor.proto` (shipped by protobufjs).
 */
export function protoIncludeDirs(): string[] {
  return [join(dirname(PROTO_FILE), '..', '..'), googleProtoDir()]
}

function googleProtoDir(): string {
  const require = createRequire(import.meta.url)
  return dirname(require.resolve('protobufjs/package.json'))
}

/**
 * How a field travels, derived from its `.proto` type and the `(qenus.v1.bigint)` option:
 * `hex` bytes shown as `0x` hex; `text` a plain string; `decimal` a bigint as a decimal string;
 * `u64` a bigint as uint64; `number` a JS number (a `long` flag marks 64-bit wire types);
 * `bool`; `message` a nested record.
 * @internal
 */
export type FieldKind = 'hex' | 'text' | 'decimal' | 'u64' | 'number' | 'bool' | 'message'

/** One field of a message, as the codecs see it. @internal */
export interface FieldSpec {
  /** TypeScript key (the `.proto` name in camelCase). */
  name: string
  /** Wire treatment. */
  kind: FieldKind
  /** The `.proto` scalar or message type name. */
  protoType: string
  /** `repeated` in the `.proto`. */
  repeated: boolean
  /** proto3 `optional`: absent stays absent. */
  optional: boolean
  /** For a 64-bit wire type holding a JS number. */
  long: boolean
  /** Fields of the nested message, for `message`. */
  fields: FieldSpec[]
  /** Field number. */
  id: number
  /** Written even when it holds its type's default (proto3 `optional`, oneof members, messages). */
  presence: boolean
  /** A repeated scalar written as one packed record. */
  packed: boolean
}

/** One feature kind: its data message and fields. @internal */
export interface KindSpec {
  /** The kind. */
  kind: FeatureKind
  /** The `oneof data` member of `Feature` that carries it (camelCase). */
  member: string
  /** The data message. */
  type: protobuf.Type
  /** Fields of the data message, in `.proto` order. */
  fields: FieldSpec[]
}

/** Everything the codecs derive from `features.proto`, built once. @internal */
export interface CodecSchema {
  /** The loaded root. */
  root: protobuf.Root
  /** `qenus.v1.Feature`. */
  feature: protobuf.Type
  /** `qenus.v1.Retraction`. */
  retraction: protobuf.Type
  /** Envelope fields of `Feature` (everything but `oneof data`), in `.proto` order. */
  envelope: FieldSpec[]
  /** Fields of `Retraction`. */
  retractionFields: FieldSpec[]
  /** Per kind. */
  kinds: Map<string, KindSpec>
  /** Kind by `oneof data` member name. */
  byMember: Map<string, KindSpec>
}

const LONG_TYPES = new Set(['uint64', 'int64', 'sint64', 'fixed64', 'sfixed64'])
const NUMBER_TYPES = new Set(['uint32', 'int32', 'sint32', 'fixed32', 'sfixed32', 'double', 'float'])

let cached: CodecSchema | undefined

/**
 * Loads `features.proto` and derives the codec tables from it, once per process.
 * @internal
 */
export function codecSchema(): CodecSchema {
  cached ??= buildSchema()
  return cached
}

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root()
  const resolve = root.resolvePath.bind(root)
  root.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? join(googleProtoDir(), target) : resolve(origin, target)
  try {
    root.loadSync(PROTO_FILE)
    root.resolveAll()
  } catch (cause) {
    throw new QenusError(`cannot load ${PROTO_FILE}`, { code: 'CODEC_PROTO_INVALID', cause })
  }
  return root
}

function buildSchema(): CodecSchema {
  const root = loadRoot()
  const feature = root.lookupType('qenus.v1.Feature')
  const retraction = root.lookupType('qenus.v1.Retraction')
  const data = feature.oneofs.data
  if (!data) throw new QenusError('qenus.v1.Feature has no `oneof data`', { code: 'CODEC_PROTO_INVALID' })
  const kinds = new Map<string, KindSpec>()
  const byMember = new Map<string, KindSpec>()
  for (const member of data.fieldsArray) {
    const type = member.resolvedType
    const kind = type?.options?.['(qenus.v1.kind)']
    if (!(type instanceof protobuf.Type) || typeof kind !== 'string') {
      throw new QenusError(`Feature.${member.name} lacks option (qenus.v1.kind)`, { code: 'CODEC_PROTO_INVALID' })
    }
    const spec: KindSpec = { kind: kind as FeatureKind, member: member.name, type, fields: fieldSpecs(type) }
    kinds.set(kind, spec)
    byMember.set(member.name, spec)
  }
  const envelope = fieldSpecs(feature).filter((f) => !data.fieldsArray.some((m) => m.name === f.name))
  return { root, feature, retraction, envelope, retractionFields: fieldSpecs(retraction), kinds, byMember }
}

function fieldSpecs(type: protobuf.Type): FieldSpec[] {
  return type.fieldsArray.map((field) => {
    const bigint = field.options?.['(qenus.v1.bigint)'] === true
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined
    return {
      name: field.name,
      kind: fieldKind(field.type, bigint, nested !== undefined),
      protoType: field.type,
      repeated: field.repeated,
      optional: field.options?.proto3_optional === true,
      long: LONG_TYPES.has(field.type) && !bigint,
      fields: nested ? fieldSpecs(nested) : [],
      id: field.id,
      presence: field.hasPresence,
      packed: field.repeated && field.packed,
    }
  })
}

function fieldKind(type: string, bigint: boolean, message: boolean): FieldKind {
  if (message) return 'message'
  if (bigint) {
    if (type === 'string') return 'decimal'
    if (type === 'uint64' || type === 'fixed64') return 'u64'
  } else if (type === 'bytes') return 'hex'
  else if (type === 'string') return 'text'
  else if (type === 'bool') return 'bool'
  else if (NUMBER_TYPES.has(type) || LONG_TYPES.has(type)) return 'number'
  throw new QenusError(`unsupported field type ${type}${bigint ? ' with (qenus.v1.bigint)' : ''}`, {
    code: 'CODEC_PROTO_INVALID',
  })
}
