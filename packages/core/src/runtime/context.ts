import type { ComponentRole } from '../plugin/define.js'
import type { ChainInfo } from '../schema/chains.js'

/** Who a component instance is and where it runs; injected under `ContextToken`. */
export interface ComponentContext {
  /** Pipeline name. */
  pipeline: string
  /** The component's role, or `lane` for the lane container itself. */
  role: ComponentRole | 'lane'
  /** Instance id (the chain name for a lane). */
  id: string
  /** Where the component is in the config, e.g. `sinks[1]`. */
  path?: string | undefined
  /** The lane's chain; `undefined` for sinks and detectors, which serve every chain. */
  chain?: ChainInfo | undefined
}
