const NEWLINE = 0x0a
const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/**
 * Splits a byte stream of JSON-RPC messages (an IPC socket) into one string per message.
 *
 * @remarks
 * geth, reth, erigon, nethermind and anvil end every message with a newline; then a message ends
 * at the next `\n`, found by the native `Buffer.indexOf`, and each byte is touched once by the
 * engine rather than by a JavaScript loop. The first message is found by tracking JSON nesting;
 * if no newline follows it, the stream is taken to be undelimited and every message is found
 * that way (slower, but correct for any framing). viem's ipc transport rescans its whole buffer
 * on every chunk, which is what made it slow on multi-megabyte answers.
 *
 * @example
 * ```ts
 * const framer = new JsonFramer((text) => handle(JSON.parse(text)))
 * socket.on('data', (chunk) => framer.push(chunk))
 * ```
 */
export class JsonFramer {
  #parts: Buffer[] = []
  #mode: 'detect' | 'newline' | 'scan' = 'detect'
  #depth = 0
  #inString = false
  #escaped = false
  #started = false
  /** Whether a message ended yet (framing is told by what follows the first). */
  #seen = false

  /** @param emit - Called with each complete message's text, in stream order. */
  constructor(private readonly emit: (text: string) => void) {}

  /** How framing was detected: `detect` until the first message ends. */
  get mode(): 'detect' | 'newline' | 'scan' {
    return this.#mode
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Buffer): void {
    let start = 0
    while (start < chunk.length) {
      start = this.#mode === 'newline' ? this.#byNewline(chunk, start) : this.#byNesting(chunk, start)
    }
  }

  /** Drops a partial message (the connection it came on closed). */
  reset(): void {
    this.#parts = []
    this.#depth = 0
    this.#inString = false
    this.#escaped = false
    this.#started = false
  }

  #byNewline(chunk: Buffer, start: number): number {
    const end = chunk.indexOf(NEWLINE, start)
    if (end < 0) {
      this.#parts.push(chunk.subarray(start))
      return chunk.length
    }
    this.#flush(chunk.subarray(start, end))
    return end + 1
  }

  /** Tracks nesting from `start`; returns where scanning stopped (a message's end, or the chunk's). */
  #byNesting(chunk: Buffer, start: number): number {
    let i = start
    if (!this.#started) {
      for (; i < chunk.length && chunk[i] !== OPEN_BRACE && chunk[i] !== OPEN_BRACKET; i++) {
        if (chunk[i] === NEWLINE && this.#mode === 'detect' && this.#seen) {
          this.#mode = 'newline'
          return i + 1
        }
      }
      if (i === chunk.length) return i
      if (this.#mode === 'detect' && this.#seen) this.#mode = 'scan'
      start = i
      this.#started = true
    }
    for (; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false
        else if (byte === BACKSLASH) this.#escaped = true
        else if (byte === QUOTE) this.#inString = false
      } else if (byte === QUOTE) this.#inString = true
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.#depth++
      else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --this.#depth === 0) {
        this.#started = false
        this.#seen = true
        const next = this.#detect(chunk, i + 1)
        this.#flush(chunk.subarray(start, i + 1))
        return next
      }
    }
    this.#parts.push(chunk.subarray(start))
    return i
  }

  /** After the first message: newline framing when a newline follows it. */
  #detect(chunk: Buffer, after: number): number {
    if (this.#mode !== 'detect') return after
    const byte = chunk[after]
    if (byte === 0x0d && chunk[after + 1] === NEWLINE) {
      this.#mode = 'newline'
      return after + 2
    }
    if (byte === NEWLINE) {
      this.#mode = 'newline'
      return after + 1
    }
    // The newline may be the next chunk's first byte: the next chunk tells.
    return after
  }

  #flush(last: Buffer): void {
    const parts = this.#parts
    const text = parts.length === 0 ? last.toString() : Buffer.concat([...parts, last]).toString()
    this.#parts = []
    if (text.trim() !== '') this.emit(text)
  }
}
