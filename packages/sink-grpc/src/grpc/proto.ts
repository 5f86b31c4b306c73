import { dirname, join } from 'node:path'
import type { ServiceDefinition } from '@grpc/grpc-js'
import { loadSync, type PackageDefinition } from '@grpc/proto-loader'
import { type BlockRef, encodeFeatureProto, type Feature, PROTO_FILE, protoIncludeDirs } from '@qenus/core'
import protobuf from 'protobufjs'

/** Path of the service's `.proto`, relative to the proto root (how imports and reflection name it). */
export const DATAPLANE_PROTO = 'qenus/v1/dataplane.proto'

/** Absolute path of `dataplane.proto`, shipped by `@qenus/core` beside `features.proto`. */
export const DATAPLANE_PROTO_FILE: string = join(dirname(PROTO_FILE), 'dataplane.proto')

/** Full name of the service. */
export const SERVICE_NAME = 'qenus.v1.Dataplane'

/** How requests are read: camelCase keys, 64-bit integers as decimal strings, absent optionals undefined. */
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: String, defaults: false, oneofs: true } as const

/** What the server needs from the schema, loaded once. @internal */
export interface DataplaneSchema {
  /** proto-loader's definition of every type, for the service. */
  packageDefinition: PackageDefinition
  /** The same with the `.proto`'s own field names, for reflection clients. */
  reflectionDefinition: PackageDefinition
  /** The service; responses are pre-encoded bytes, passed through unchanged. */
  service: ServiceDefinition
  /** protobufjs types of the wrapper messages. */
  types: Record<'snapshot' | 'featureEvent' | 'heads' | 'blockEnd', protobuf.Type>
}

let cached: DataplaneSchema | undefined

/** Loads `dataplane.proto` (and `features.proto` through its import) once per process. @internal */
export function dataplaneSchema(): DataplaneSchema {
  cached ??= load()
  return cached
}

function load(): DataplaneSchema {
  const includeDirs = protoIncludeDirs()
  const packageDefinition = loadSync(DATAPLANE_PROTO, { ...LOADER_OPTIONS, includeDirs })
  const reflectionDefinition = loadSync(DATAPLANE_PROTO, { ...LOADER_OPTIONS, keepCase: true, includeDirs })
  const loaded = packageDefinition[SERVICE_NAME] as ServiceDefinition
  const passThrough = (bytes: Buffer) => bytes
  const service = Object.fromEntries(
    Object.entries(loaded).map(([name, method]) => [name, { ...method, responseSerialize: passThrough }]),
  ) as ServiceDefinition
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? join(includeDirs[1], target) : join(includeDirs[0], target)
  root.loadSync(DATAPLANE_PROTO).resolveAll()
  const type = (name: string) => root.lookupType(`qenus.v1.${name}`)
  const types = {
    snapshot: type('Snapshot'),
    featureEvent: type('FeatureEvent'),
    heads: type('Heads'),
    blockEnd: type('BlockEnd'),
  }
  return { packageDefinition, reflectionDefinition, service, types }
}

/** Feature bytes per feature object: the store and the feed hold the same objects, so each is encoded once. */
const encoded = new WeakMap<Feature, Uint8Array>()

/** Core's protobuf encoding of a feature, cached per object. @internal */
export function featureBytes(feature: Feature): Uint8Array {
  let bytes = encoded.get(feature)
  if (!bytes) {
    bytes = encodeFeatureProto(feature)
    encoded.set(feature, bytes)
  }
  return bytes
}

/** Appends `bytes` as length-delimited field `field` of the message being written. */
function embed(writer: protobuf.Writer, field: protobuf.Field, bytes: Uint8Array): protobuf.Writer {
  return writer.uint32((field.id << 3) | 2).bytes(bytes)
}

/** A `FeatureEvent` whose `event` case `member` holds already-encoded `bytes`. @internal */
export function eventFrame(member: 'feature' | 'retraction', bytes: Uint8Array): Buffer {
  const field = dataplaneSchema().types.featureEvent.fields[member] as protobuf.Field
  return Buffer.from(embed(protobuf.Writer.create(), field, bytes).finish())
}

/** A `FeatureEvent` carrying a `BlockEnd`. @internal */
export function blockEndFrame(chain: string, chainId: number, block: BlockRef): Buffer {
  const { blockEnd, featureEvent } = dataplaneSchema().types
  const bytes = blockEnd.encode({ chain, chainId, block: wireBlock(block) }).finish()
  return Buffer.from(embed(protobuf.Writer.create(), featureEvent.fields.blockEnd as protobuf.Field, bytes).finish())
}

/** A `Snapshot`: the header through protobufjs, each feature appended as core encoded it. @internal */
export function snapshotMessage(chain: string, chainId: number, block: BlockRef, features: Feature[]): Buffer {
  const { snapshot } = dataplaneSchema().types
  const writer = snapshot.encode({ chain, chainId, block: wireBlock(block) })
  const field = snapshot.fields.features as protobuf.Field
  for (const feature of features) embed(writer, field, featureBytes(feature))
  return Buffer.from(writer.finish())
}

/** One entry of a `Heads` message. @internal */
export interface HeadEntry {
  chain: string
  chainId: number
  head: BlockRef
  snapshotFrom: bigint
  replayFrom: bigint | undefined
  streamed: BlockRef | undefined
}

/** A `Heads` message. @internal */
export function headsMessage(heads: HeadEntry[]): Buffer {
  const message = {
    heads: heads.map((h) => ({
      chain: h.chain,
      chainId: h.chainId,
      head: wireBlock(h.head),
      snapshotFrom: u64(h.snapshotFrom),
      ...(h.replayFrom === undefined ? {} : { replayFrom: u64(h.replayFrom) }),
      ...(h.streamed === undefined ? {} : { streamed: wireBlock(h.streamed) }),
    })),
  }
  return Buffer.from(dataplaneSchema().types.heads.encode(message).finish())
}

/** protobufjs takes `{ low, high }` for 64-bit fields; a decimal string would go through a float without `long`. */
function u64(value: bigint): { low: number; high: number; unsigned: true } {
  return { low: Number(value & 0xffff_ffffn) | 0, high: Number(value >> 32n) | 0, unsigned: true }
}

function wireBlock(block: BlockRef): { number: ReturnType<typeof u64>; hash: Buffer } {
  return { number: u64(block.number), hash: Buffer.from(block.hash.slice(2), 'hex') }
}
