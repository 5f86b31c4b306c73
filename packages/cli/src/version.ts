import { createRequire } from 'node:module'

/** The version of `@qenus/cli`. */
export const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version
