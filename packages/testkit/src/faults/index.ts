export { type FaultProxy, startFaultProxy } from './proxy.js'
export {
  type KafkaFaultProxy,
  startKafkaFaultProxy,
  startTcpProxy,
  type TcpConnectionTransform,
  type TcpCutMode,
  type TcpFaultProxy,
  type TcpProxyOptions,
} from './tcp.js'
export type { Fault, FaultHandle, FaultRule, ProxiedCall, ProxiedLog, ProxiedReply } from './types.js'
export type { WsRelay } from './ws.js'
