import 'reflect-metadata'
import { container, type DependencyContainer } from 'tsyringe'
import type { ResolvedComponent } from '../config/types.js'
import { ContextToken, LoggerToken, OptionsToken } from '../di/tokens.js'
import { FatalError } from '../errors.js'
import type { Logger } from '../observability/logger.js'
import type { ComponentInstanceMap, ComponentRole } from '../plugin/define.js'
import type { ComponentContext } from './context.js'

/** Token → value pairs to register in a scope. */
export type Registrations = Iterable<readonly [symbol, unknown]>

/**
 * The one place that touches the tsyringe container: a pipeline scope below the root container,
 * a lane scope below it, and a throwaway scope per component instance holding its options.
 *
 * @internal
 */
export class Scope {
  readonly #container: DependencyContainer

  private constructor(dependencyContainer: DependencyContainer, registrations: Registrations) {
    this.#container = dependencyContainer
    for (const [token, value] of registrations) dependencyContainer.register(token, { useValue: value })
  }

  /** A new pipeline scope, a child of tsyringe's root container. */
  static root(registrations: Registrations): Scope {
    return new Scope(container.createChildContainer(), registrations)
  }

  /** A child scope that sees this scope's registrations and overrides them with its own. */
  child(registrations: Registrations): Scope {
    return new Scope(this.#container.createChildContainer(), registrations)
  }

  /** The value registered under `token` here or in a parent scope. */
  get<T>(token: symbol): T {
    return this.#container.resolve<T>(token)
  }

  /**
   * Creates one component instance with its validated options, context and a child logger.
   *
   * @throws FatalError naming the component and its config path when construction fails.
   */
  instantiate<R extends ComponentRole>(
    component: ResolvedComponent<R>,
    context: ComponentContext,
    logger: Logger,
  ): ComponentInstanceMap[R] {
    // A lane's logger already carries its chain.
    const bindings = { role: component.role, component: component.id }
    const scope = this.child([
      [OptionsToken, component.options],
      [ContextToken, context],
      [LoggerToken, logger.child(bindings)],
    ])
    try {
      return scope.#container.resolve(component.definition.component)
    } catch (error) {
      throw new FatalError(`Could not create ${component.role} "${component.id}" (${component.path})`, {
        code: 'COMPONENT_CREATE_FAILED',
        details: (error as Error).message,
        cause: error,
      })
    }
  }
}
