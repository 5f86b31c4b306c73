import { expect, it } from 'vitest'
import * as api from './index.js'

// The package's public surface: a change here is an API change, visible in review.
it('exports exactly its public API', () => {
  expect(Object.keys(api).sort()).toMatchSnapshot()
})
