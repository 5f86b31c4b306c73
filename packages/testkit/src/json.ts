/**
 * Parses JSON text with every integer literal read as an exact `bigint` (JSON.parse would round
 * those beyond 2^53). Fractions and exponents stay numbers.
 *
 * @param text - JSON text.
 * @param where - Names the input in error messages, e.g. a file path.
 * @example
 * ```ts
 * import { parseJsonExact } from '@qenus/testkit'
 * parseJsonExact('{"total_difficulty": 58750003716598352816469}') // { total_difficulty: 58750003716598352816469n }
 * ```
 */
export function parseJsonExact(text: string, where = 'JSON input'): unknown {
  const MARK = '\ue000bigint:'
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      const end = stringEnd(text, i)
      out += text.slice(i, end)
      i = end
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
      if (!match) throw new SyntaxError(`${where}: bad number at offset ${i}`)
      out += match[1] || match[2] ? match[0] : `"${MARK}${match[0]}"`
      i += match[0].length
    } else {
      out += c
      i++
    }
  }
  try {
    return JSON.parse(out, (_key, value) =>
      typeof value === 'string' && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value,
    )
  } catch (cause) {
    throw new SyntaxError(`${where}: ${(cause as Error).message}`, { cause })
  }
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i + 1
  }
  throw new SyntaxError(`unterminated string at offset ${start}`)
}
