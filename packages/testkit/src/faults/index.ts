export { type FaultProxy, startFaultProxy } from './proxy.js'
export type { Fault, FaultHandle, FaultRule, ProxiedCall, ProxiedLog, ProxiedReply } from './types.js'
export type { WsRelay } from './ws.js'
