import type { Router } from '../telegram/router';

/**
 * A feature registers its routes on the router and may run background work.
 * Built by a factory that takes the ports it needs (`menuFeature(deps)`).
 */
export interface Feature {
  readonly name: string;
  install(router: Router): void;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
