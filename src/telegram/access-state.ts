/** What the access gate learned about an update's sender, as the router reads it. */
export interface AccessState {
  readonly isAdmin: boolean;
  /** A user not on the allowlist who may run public commands only. */
  readonly guest?: boolean;
}

/** Keyed by the update's context object: typed, and gone with it. */
const states = new WeakMap<object, AccessState>();

/** Records the gate's verdict for this update (only updates that passed get one). */
export function grantAccess(ctx: object, state: AccessState): void {
  states.set(ctx, state);
}

/** The gate's verdict for this update; undefined when it did not pass access control. */
export function accessOf(ctx: object): AccessState | undefined {
  return states.get(ctx);
}
