import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replaces `path` with `data` so that a crash leaves the old content or the new one, never a torn
 * file: a fsynced hidden temp file in the same folder (`.<name>.<random>.tmp`), renamed over `path`,
 * then the folder fsynced so the rename itself survives. Creates the folder if it is missing; removes
 * the temp file if the write fails.
 *
 * @param path - The file to write.
 * @param data - Its whole new content.
 * @example
 * ```ts
 * await writeFileAtomic('state/checkpoint.json', JSON.stringify(state))
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDir(dir)
}

/**
 * Appends `text` to `path` and fsyncs its data before returning, so what was appended survives a
 * crash; a crash during the call can leave a partial last line. Creates the file and its folder if
 * they are missing.
 *
 * @param path - The file to append to.
 * @param text - What to append.
 */
export async function appendFileDurable(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const handle = await open(path, 'a')
  try {
    await handle.writeFile(text)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/**
 * Fsyncs a folder, making the creation, rename or removal of its entries durable.
 *
 * @param dir - The folder.
 */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
