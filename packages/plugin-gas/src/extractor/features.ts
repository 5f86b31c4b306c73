import type { Hex } from '@qenus/core'

/** The address of chain-wide features (`gas.block`, `sequencer.health`): the zero address. */
export const CHAIN_WIDE_ADDRESS: Hex = '0x0000000000000000000000000000000000000000'
