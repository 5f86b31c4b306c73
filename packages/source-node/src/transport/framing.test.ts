import { describe, expect, it } from 'vitest'
import { JsonFramer } from './framing.js'

// Answers with what trips naive framing: braces, brackets, quotes, escapes and an escaped newline inside strings.
const messages = [
  { jsonrpc: '2.0', id: 1, result: '0x7a69' },
  [
    { jsonrpc: '2.0', id: 2, result: { input: '0x{}[]', note: 'a "quoted" \\ back\nslash {' } },
    { jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'execution reverted: }]' } },
  ],
  { jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: '0x1', result: { logs: [[], [{}]] } } },
].map((m) => JSON.stringify(m))

/** Feeds `stream` to a framer cut into pieces of `size` bytes; returns the messages it emitted. */
function frame(stream: Buffer, size: number): { texts: string[]; mode: string } {
  const texts: string[] = []
  const framer = new JsonFramer((text) => texts.push(text))
  for (let i = 0; i < stream.length; i += size) framer.push(stream.subarray(i, i + size))
  return { texts, mode: framer.mode }
}

describe('JsonFramer', () => {
  it.each([1, 2, 3, 7, 64, 100_000])(
    'splits newline-delimited messages cut every %i bytes, in newline mode',
    (size) => {
      const { texts, mode } = frame(Buffer.from(messages.map((m) => `${m}\n`).join('')), size)
      expect(texts).toEqual(messages)
      expect(mode).toBe('newline')
    },
  )

  it.each([1, 5, 64, 100_000])('splits undelimited messages cut every %i bytes by nesting', (size) => {
    const { texts, mode } = frame(Buffer.from(messages.join('')), size)
    expect(texts).toEqual(messages)
    expect(mode).toBe('scan')
  })

  it('accepts CRLF and keeps multi-byte UTF-8 split across chunks intact', () => {
    const text = JSON.stringify({ id: 1, result: 'prix: 3 €, ✓' })
    const { texts } = frame(Buffer.from(`${text}\r\n${text}\r\n`), 1)
    expect(texts.map((t) => JSON.parse(t))).toEqual([JSON.parse(text), JSON.parse(text)])
  })
})
