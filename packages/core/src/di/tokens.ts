/**
 * Dependency injection tokens of the runtime.
 *
 * @remarks
 * Tokens are global symbols (`Symbol.for`), so a plugin built against another copy of
 * `@qenus/core` still resolves the same registrations. Inject them with `@inject(Token)` on every
 * constructor parameter.
 *
 * @module
 */

/** The validated options of the component being resolved. */
export const OptionsToken: unique symbol = Symbol.for('qenus.Options') as never
/** The pino `Logger` of the component being resolved. */
export const LoggerToken: unique symbol = Symbol.for('qenus.Logger') as never
/** The {@link Metrics} registry of the pipeline. */
export const MetricsToken: unique symbol = Symbol.for('qenus.Metrics') as never
/** The {@link Clock} used for timing and timestamps. */
export const ClockToken: unique symbol = Symbol.for('qenus.Clock') as never
/** The {@link ChainRegistry} of known chains. */
export const ChainRegistryToken: unique symbol = Symbol.for('qenus.ChainRegistry') as never
/** The {@link ChainInfo} of the lane being resolved (lane containers only). */
export const ChainToken: unique symbol = Symbol.for('qenus.Chain') as never
/** The {@link CheckpointStore} of the pipeline. */
export const CheckpointStoreToken: unique symbol = Symbol.for('qenus.CheckpointStore') as never
/** The {@link FeatureStore} of the pipeline. */
export const FeatureStoreToken: unique symbol = Symbol.for('qenus.FeatureStore') as never
/** The {@link ComponentContext} of the component being resolved. */
export const ContextToken: unique symbol = Symbol.for('qenus.Context') as never
/** The {@link Source} of a chain lane. */
export const SourceToken: unique symbol = Symbol.for('qenus.Source') as never
/** An {@link Extractor} instance. */
export const ExtractorToken: unique symbol = Symbol.for('qenus.Extractor') as never
/** A {@link Detector} instance. */
export const DetectorToken: unique symbol = Symbol.for('qenus.Detector') as never
/** A {@link Sink} instance. */
export const SinkToken: unique symbol = Symbol.for('qenus.Sink') as never
