import type { BlockRef } from '../contracts/chain.js'
import type { FeatureBatch, RetractedFeature, Retraction } from '../contracts/sink.js'
import type { BoundedQueue } from '../util/queue.js'
import type { BlockFeatures, Checkpoint } from './checkpoint.js'
import { invoke } from './invoke.js'
import { type LaneItem, type LaneShared, pushRecent, rewindRecent, type SinkSlot } from './lane-types.js'

/**
 * The consumer half of a lane: takes items off the queue in order, hands them to every sink,
 * and commits a checkpoint every N blocks or T ms, after every sink flushed.
 *
 * @internal
 */
export class SinkStage {
  readonly #lane: LaneShared
  readonly #sinks: SinkSlot[]
  readonly #queue: BoundedQueue<LaneItem>
  readonly #recent: BlockRef[]
  /**
   * The features of the blocks in `#recent` the sinks got, oldest first: what a revert withdraws
   * from them, restored from the checkpoint after a restart. Holds the batches' own arrays (a
   * Feature is a RetractedFeature), so writing costs nothing per feature.
   */
  readonly #held: BlockFeatures[]
  #written: BlockRef | undefined
  #uncommitted = 0
  #committedAt: number

  constructor(lane: LaneShared, sinks: SinkSlot[], queue: BoundedQueue<LaneItem>, resume: Checkpoint | undefined) {
    this.#lane = lane
    this.#sinks = sinks.filter((slot) => slot.select.chain(lane.chain.name))
    this.#queue = queue
    this.#recent = resume ? [...resume.recent] : []
    this.#held = resume?.features ? [...resume.features] : []
    this.#written = resume?.block
    this.#committedAt = lane.clock.now()
  }

  /** Runs until the queue is closed and drained, then commits what is left. */
  async run(): Promise<void> {
    const { everyMs } = this.#lane.checkpoint
    for (;;) {
      if (this.#uncommitted > 0) {
        const wait = everyMs - (this.#lane.clock.now() - this.#committedAt)
        if (wait <= 0 || !(await this.#queue.ready(wait))) {
          await this.#commit()
          continue
        }
      }
      const item = await this.#queue.take()
      this.#lane.metrics.queueDepth.set({ chain: this.#lane.chain.name }, this.#queue.depth)
      if (item === undefined) break
      if (item.type === 'batch') await this.#write(item.batch)
      else if (item.type === 'pending') await this.#writePending(item.batch)
      else await this.#revert(item.retraction)
    }
    if (this.#uncommitted > 0) await this.#commit()
  }

  async #write(batch: FeatureBatch): Promise<void> {
    const { metrics, chain } = this.#lane
    await Promise.all(
      this.#sinks.map(async ({ id, sink, select }) => {
        const features = batch.features.filter(select.feature)
        const target = this.#lane.target('sink', id)
        metrics.componentReceived.inc(target.labels, batch.features.length)
        metrics.componentDropped.inc(target.labels, batch.features.length - features.length)
        const end = metrics.sinkWriteSeconds.startTimer({ sink: id })
        await invoke(target, 'write', () => sink.write({ ...batch, features }))
        end()
        metrics.componentEmitted.inc(target.labels, features.length)
      }),
    )
    for (const feature of batch.features) metrics.featuresEmitted.inc({ chain: chain.name, kind: feature.kind })
    this.#written = batch.block
    const depth = Math.max(1, chain.finalityDepth)
    pushRecent(this.#recent, batch.block, depth)
    this.#held.push({ block: { number: batch.block.number, hash: batch.block.hash }, features: batch.features })
    if (this.#held.length > depth) this.#held.splice(0, this.#held.length - depth)
    if (++this.#uncommitted >= this.#lane.checkpoint.everyBlocks) await this.#commit()
  }

  /** Best-effort: a failed pending write is logged and counted, never fatal, never checkpointed. */
  async #writePending(batch: FeatureBatch): Promise<void> {
    const { metrics, logger } = this.#lane
    await Promise.all(
      this.#sinks.map(async ({ id, sink, select }) => {
        if (!sink.writePending) return
        const features = batch.features.filter(select.feature)
        const target = this.#lane.target('sink', id)
        metrics.componentReceived.inc(target.labels, batch.features.length)
        metrics.componentDropped.inc(target.labels, batch.features.length - features.length)
        if (features.length === 0) return
        try {
          await invoke(target, 'writePending', () => sink.writePending!({ ...batch, features }))
          metrics.componentEmitted.inc(target.labels, features.length)
        } catch (error) {
          logger.warn({ err: error, sink: id }, 'pending write failed; pending features dropped')
        }
      }),
    )
  }

  async #revert(lane: Retraction): Promise<void> {
    const retraction = this.#withdraw(lane)
    await Promise.all(
      this.#sinks.map(({ id, sink }) => invoke(this.#lane.target('sink', id), 'revert', () => sink.revert(retraction))),
    )
    if (this.#written && this.#written.number > retraction.to.number) {
      this.#written = retraction.to
      rewindRecent(this.#recent, retraction.to)
      this.#uncommitted++
      await this.#commit()
    }
  }

  /**
   * The retraction with the ids and features of the held blocks above `to`, newest block first,
   * reverse log order: what the sinks got, even before a restart. Ids the lane's store knows and
   * the held blocks do not (older blocks) follow, so the order stays newest first.
   */
  #withdraw(lane: Retraction): Retraction {
    const features: RetractedFeature[] = []
    while (this.#held.length > 0 && this.#held.at(-1)!.block.number > lane.to.number) {
      const block = this.#held.pop()!
      for (let i = block.features.length - 1; i >= 0; i--) {
        const { id, kind, address } = block.features[i]!
        features.push({ id, kind, address })
      }
    }
    const ids = features.map((feature) => feature.id)
    const held = new Set(ids)
    ids.push(...lane.ids.filter((id) => !held.has(id)))
    return ids.length === features.length ? { ...lane, ids, features } : { ...lane, ids }
  }

  async #commit(): Promise<void> {
    const { metrics, chain, checkpoints, pipeline, status } = this.#lane
    await Promise.all(
      this.#sinks.map(async ({ id, sink }) => {
        const end = metrics.sinkFlushSeconds.startTimer({ sink: id })
        await invoke(this.#lane.target('sink', id), 'flush', () => sink.flush())
        end()
      }),
    )
    const block = this.#written
    if (block) {
      const updatedAt = new Date(this.#lane.clock.now()).toISOString()
      const recent = this.#recent.map((ref) => ({ ...ref }))
      const features = this.#held.slice()
      await checkpoints.save({
        pipeline,
        chain: chain.name,
        chainId: chain.chainId,
        block,
        recent,
        updatedAt,
        features,
      })
      metrics.checkpointBlock.set({ chain: chain.name }, Number(block.number))
      status.checkpoint = block.number
    }
    this.#uncommitted = 0
    this.#committedAt = this.#lane.clock.now()
  }
}
