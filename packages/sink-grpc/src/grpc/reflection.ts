import type { PackageDefinition } from '@grpc/proto-loader'
import descriptor from 'protobufjs/ext/descriptor/index.js'

interface Named {
  name?: string
  typeName?: string
  extendee?: string
  inputType?: string
  outputType?: string
}

interface FileProto {
  name: string
  package?: string
  dependency: string[]
  messageType?: MessageProto[]
  extension?: Named[]
  service?: { method?: Named[] }[]
}

interface MessageProto {
  name?: string
  field?: Named[]
  extension?: Named[]
  nestedType?: MessageProto[]
  options?: { mapEntry?: boolean }
}

/** Where reflection clients find the well-known types: their own copy, under its standard name. */
const WELL_KNOWN = 'google/protobuf/descriptor.proto'

/**
 * proto-loader describes each package as one file (`qenus_v1.proto`) with no `dependency`
 * list, so a reflection client cannot resolve what `features.proto` imports (the
 * `google.protobuf.FieldOptions` its custom options extend) and refuses the whole file. This
 * fills in each file's dependencies from the packages its types reference; `google.protobuf`
 * maps to `google/protobuf/descriptor.proto`, which every protobuf runtime carries (proto-loader's
 * own rendering of it is not a valid descriptor), so grpcurl, grpcio and the like build the
 * descriptors as they are. It also names map entry types as protoc does (`FromBlocksEntry` for
 * `from_blocks`), which strict runtimes (protobuf's C++ core) require.
 *
 * @returns A definition for `ReflectionService` whose file descriptors list their dependencies.
 * @internal
 */
export function withFileDependencies(definition: PackageDefinition): PackageDefinition {
  const FileDescriptorProto = (descriptor as unknown as { FileDescriptorProto: DescriptorType }).FileDescriptorProto
  const files = new Map<string, FileProto>()
  for (const entry of allFileLists(definition)) {
    for (const bytes of entry) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { arrays: true }) as FileProto
      files.set(file.name, file)
    }
  }
  const byPackage = new Map([...files.values()].map((file) => [file.package ?? '', file.name]))
  byPackage.set('google.protobuf', WELL_KNOWN)
  const fixed = new Map<string, Buffer>()
  for (const file of files.values()) {
    for (const message of file.messageType ?? []) nameMapEntries(message)
    const dependencies = new Set<string>()
    for (const type of references(file)) {
      const owner = ownerFile(type, byPackage)
      if (owner && owner !== file.name) dependencies.add(owner)
    }
    file.dependency = [...dependencies].sort()
    fixed.set(file.name, Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject(file)).finish()))
  }
  const patch = (list: Buffer[]) =>
    list.map((bytes) => fixed.get((FileDescriptorProto.decode(bytes) as unknown as FileProto).name) ?? bytes)
  return Object.fromEntries(
    Object.entries(definition).map(([name, entry]) => [name, patchEntry(entry, patch)]),
  ) as PackageDefinition
}

interface DescriptorType {
  decode(bytes: Uint8Array): object
  encode(message: object): { finish(): Uint8Array }
  fromObject(object: object): object
  toObject(message: object, options: object): object
}

function* allFileLists(definition: PackageDefinition): Generator<Buffer[]> {
  for (const entry of Object.values(definition)) {
    const own = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos
    if (Array.isArray(own)) yield own
    else {
      for (const method of Object.values(entry as Record<string, { requestType?: object; responseType?: object }>)) {
        for (const type of [method.requestType, method.responseType]) {
          const list = (type as { fileDescriptorProtos?: Buffer[] } | undefined)?.fileDescriptorProtos
          if (Array.isArray(list)) yield list
        }
      }
    }
  }
}

function patchEntry(entry: unknown, patch: (list: Buffer[]) => Buffer[]): unknown {
  const own = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos
  if (Array.isArray(own)) return { ...(entry as object), fileDescriptorProtos: patch(own) }
  return Object.fromEntries(
    Object.entries(entry as Record<string, Record<string, unknown>>).map(([name, method]) => {
      const fix = (type: unknown) => {
        const list = (type as { fileDescriptorProtos?: Buffer[] } | undefined)?.fileDescriptorProtos
        return Array.isArray(list) ? { ...(type as object), fileDescriptorProtos: patch(list) } : type
      }
      return [name, { ...method, requestType: fix(method.requestType), responseType: fix(method.responseType) }]
    }),
  )
}

/** Renames each map entry type after its field, `${PascalCase(field)}Entry`, and points the field at it. */
function nameMapEntries(message: MessageProto): void {
  for (const nested of message.nestedType ?? []) {
    nameMapEntries(nested)
    if (!nested.options?.mapEntry || !nested.name) continue
    const old = nested.name
    const field = message.field?.find((f) => f.typeName === old || f.typeName?.endsWith(`.${old}`))
    if (!field?.name) continue
    const pascal = field.name.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase())
    nested.name = `${pascal}Entry`
    field.typeName = `${(field.typeName as string).slice(0, -old.length)}${nested.name}`
  }
}

/** Every fully qualified type a file's fields, extensions and methods name. */
function references(file: FileProto): string[] {
  const names: string[] = []
  const add = (n: Named) => {
    for (const value of [n.typeName, n.extendee, n.inputType, n.outputType]) if (value) names.push(value)
  }
  const visit = (message: MessageProto) => {
    for (const field of [...(message.field ?? []), ...(message.extension ?? [])]) add(field)
    for (const nested of message.nestedType ?? []) visit(nested)
  }
  for (const message of file.messageType ?? []) visit(message)
  for (const extension of file.extension ?? []) add(extension)
  for (const service of file.service ?? []) for (const method of service.method ?? []) add(method)
  return names
}

/** The file of the longest package that prefixes `.pkg.Type`. */
function ownerFile(type: string, byPackage: Map<string, string>): string | undefined {
  const name = type.startsWith('.') ? type.slice(1) : type
  let best: string | undefined
  let length = -1
  for (const [pkg, file] of byPackage) {
    if ((pkg === '' || name.startsWith(`${pkg}.`)) && pkg.length > length) {
      best = file
      length = pkg.length
    }
  }
  return best
}
