import { createLogger } from '@qenus/core'

/** A warning the extractor logged: its structured fields and message. */
export interface Warning {
  fields: Record<string, unknown>
  message: string
}

/** A real pino logger (core's `createLogger`) whose lines are parsed into `warnings`. */
export function capturingLogger() {
  const warnings: Warning[] = []
  const logger = createLogger({
    level: 'warn',
    destination: {
      write(line: string) {
        const { msg, level: _level, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line)
        warnings.push({ fields, message: msg })
      },
    },
  })
  return { logger, warnings }
}
