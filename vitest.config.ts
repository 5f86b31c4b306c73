import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Constructor parameters carry `@inject(Token)`: legacy (TypeScript) decorators.
  oxc: { decorator: { legacy: true } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'scripts/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['packages/*/src/**/*.e2e.test.ts', 'packages/*/test/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
