#!/usr/bin/env node
import { main } from './main.js'

const code = await main(process.argv.slice(2))
process.exitCode = code
// Everything was flushed and closed; a handle a library left open must not keep the process alive.
setTimeout(() => process.exit(code), 2_000).unref()
