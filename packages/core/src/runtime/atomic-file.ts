import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Replaces `file` with `text` so a crash leaves the old or the new content, never a torn one:
 * a fsynced temp file in `dir` (the file's folder), renamed over it, then the folder fsynced.
 *
 * @internal
 */
export async function writeAtomic(dir: string, file: string, text: string): Promise<void> {
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDir(dir)
}

/** Appends `text` to `file` and fsyncs its data. @internal */
export async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'a')
  try {
    await handle.writeFile(text)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
