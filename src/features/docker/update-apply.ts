import type { ContainerDetails } from '../../adapters/docker/port';
import type { ContainerUpdatePort } from '../../adapters/docker/update-port';
import type { Clock } from '../../clock';
import type { Logger } from '../../log/logger';
import type { UpdateOp } from '../../views/docker-update-actions';
import type { UpdateResult } from '../../views/docker-update-result';
import { keptName, type UpdateOutcome, type UpdateProgress, type UpdateRunner } from './update-run';
import type { UpdateState } from './update-state';

/** What running an update or a rollback needs: the runner and what it leaves to its callers. */
export interface ApplyDeps {
  readonly ops: Pick<ContainerUpdatePort, 'tagImage'>;
  readonly state: UpdateState;
  readonly runner: Pick<UpdateRunner, 'replace'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long the previous image is offered for "Roll back". */
  readonly keepMs: number;
}

/**
 * Runs an update or a rollback of `c` (its preconditions checked) the same way for the
 * Update button and unattended updates: the tag is moved for a rollback, pointed back at
 * the old image after a failure, and the previous image is recorded for "Roll back".
 */
export async function applyReplacement(
  d: ApplyDeps,
  target: { readonly host: number; readonly label: string; readonly container: ContainerDetails },
  op: UpdateOp,
  progress: (p: UpdateProgress) => void,
): Promise<{ outcome: UpdateOutcome; result: UpdateResult }> {
  const { host, label, container: c } = target;
  const rollback = op === 'rollback' ? d.state.rollback(label, c.name) : undefined;
  if (rollback !== undefined) await d.ops.tagImage(host, rollback.oldImageId, c.image);
  const outcome = await d.runner.replace(
    { host, container: c, ref: c.image, pull: op === 'update' },
    progress,
  );
  // Back to the old container *and* image: the tag names what the container runs again.
  const tagMoved = op === 'rollback' || (outcome.ok === false && outcome.failedAt !== 'pull');
  if (outcome.ok === false && tagMoved)
    await d.ops
      .tagImage(host, c.imageId, c.image)
      .catch((err: unknown) =>
        d.log.warn('could not point the tag back at the old image', { error: err }),
      );
  if (outcome.ok === false) return { outcome, result: { ...outcome, keptAs: keptName(c.name) } };
  if (outcome.ok === 'unchanged') return { outcome, result: outcome };
  const now = d.clock.now();
  const keptUntil = op === 'update' ? now + d.keepMs : undefined;
  await d.state.setRollback(
    keptUntil !== undefined
      ? {
          host: label,
          name: c.name,
          ref: c.image,
          oldImageId: outcome.oldImageId,
          newImageId: outcome.newImageId,
          at: now,
          until: keptUntil,
        }
      : { host: label, name: c.name, until: undefined },
  );
  return { outcome, result: { ...outcome, keptUntil } };
}
