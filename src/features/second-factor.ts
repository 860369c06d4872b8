import type { PrivilegedAction } from '../security/second-factor';
import type { Req } from '../telegram/request';

/**
 * The guard privileged handlers wrap themselves in. It refuses non-admins,
 * prompts for a code when there is no 2FA session (offering a button that
 * resumes exactly this action afterwards), and audits the outcome.
 *
 * The handler registered for `what.action` must itself call the guard with the
 * same `what`, so the resume button lands in the guard again:
 * `router.on(restart, (req, args) => guard.requireSecondFactor(req, restartOf(args), () => …))`.
 */
export interface SecondFactor {
  /** Runs `perform` when allowed; returns whether it ran. */
  requireSecondFactor(
    req: Req,
    what: PrivilegedAction,
    perform: () => Promise<void>,
  ): Promise<boolean>;
}
