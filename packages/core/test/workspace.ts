import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CORE_DIR = fileURLToPath(new URL('..', import.meta.url))
const FIXTURES = join(CORE_DIR, 'test', 'fixtures')

/** A throwaway project folder with the fixture plugins installed the way npm would. */
export interface Workspace {
  /** The folder. */
  dir: string
  /** Writes `content` to `path` (relative to `dir`), creating folders; returns the absolute path. */
  write(path: string, content: string): Promise<string>
  /** Deletes the folder. */
  remove(): Promise<void>
}

/**
 * Creates a temp project: `node_modules/@qenus/core` links to this package (its built `dist/`),
 * `node_modules/@acme/{plugin-x,plugin-old,not-a-plugin}` are the fixture packages and `plugins/`
 * holds the local fixture plugins.
 */
export async function createWorkspace(): Promise<Workspace> {
  if (!existsSync(join(CORE_DIR, 'dist', 'index.js'))) {
    throw new Error('build @qenus/core first (npx tsc -b packages/core): the fixture plugins import its dist')
  }
  const dir = await mkdtemp(join(tmpdir(), 'qenus-config-'))
  await mkdir(join(dir, 'node_modules', '@qenus'), { recursive: true })
  await symlink(CORE_DIR, join(dir, 'node_modules', '@qenus', 'core'), 'dir')
  for (const name of ['plugin-x', 'plugin-old', 'not-a-plugin']) {
    await cp(join(FIXTURES, name), join(dir, 'node_modules', '@acme', name), { recursive: true })
  }
  await cp(join(FIXTURES, 'local-plugins'), join(dir, 'plugins'), { recursive: true })
  return {
    dir,
    async write(path, content) {
      const file = join(dir, path)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, content)
      return file
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
