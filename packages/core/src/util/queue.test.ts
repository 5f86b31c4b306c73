import { describe, expect, it } from 'vitest'
import { BoundedQueue } from './queue.js'

describe('BoundedQueue', () => {
  it('keeps FIFO order and makes put wait while full', async () => {
    const queue = new BoundedQueue<number>(2)
    let putsDone = 0
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await queue.put(i)
        putsDone++
      }
      queue.close()
    })()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(putsDone).toBe(2)
    expect(queue.depth).toBe(2)
    const taken: number[] = []
    for await (const item of queue) taken.push(item)
    await producer
    expect(taken).toEqual([0, 1, 2, 3, 4])
  })

  it('drains after close, then take returns undefined and put rejects', async () => {
    const queue = new BoundedQueue<string>(3)
    await queue.put('a')
    queue.close()
    await expect(queue.put('b')).rejects.toThrow(/closed/)
    expect(await queue.take()).toBe('a')
    expect(await queue.take()).toBeUndefined()
  })

  it('rejects a put waiting for space when the queue closes', async () => {
    const queue = new BoundedQueue<number>(1)
    await queue.put(1)
    const waiting = queue.put(2)
    queue.close()
    await expect(waiting).rejects.toThrow(/closed/)
  })

  it('ready() times out on an empty queue and wakes on put', async () => {
    const queue = new BoundedQueue<number>(1)
    expect(await queue.ready(10)).toBe(false)
    const ready = queue.ready(5_000)
    await queue.put(7)
    expect(await ready).toBe(true)
  })

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedQueue(0)).toThrow(/positive integer, got 0/)
  })
})
