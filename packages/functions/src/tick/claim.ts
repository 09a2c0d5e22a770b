import { type EventSpec, type ReservationView, STAGE_TAG_KEY, stageClaim, stageClaimedEvent } from "@cbm/core";
import type { Run, TickContext } from "./context";
import { blockFields, describeError } from "./log-fields";

/** The reservation the engine decides on after the claim step, and the history of the claim (if one was made). */
export interface Claimed {
  reservation: ReservationView | undefined;
  events: EventSpec[];
}

/**
 * Claims the block's reservation for this stage before anything is decided, when it has no stage tag yet. A block
 * registered by hand (`POST /` with a reservation id) is untagged, and in AWS this stage's role may extend only
 * reservations tagged `cbm:stage=<stage>` and may tag only untagged ones: the first stage to claim a reservation is
 * the only one that buys for it, so two stages (two tables, two sets of intents) cannot both extend it.
 *
 * Claimed only when the tick will act on it: this account owns it (tagging a shared one fails) and it has not
 * expired. Without a stage (tests, local mode) nothing is claimed. Once tagged, EC2 reports the tag and the next
 * tick finds the reservation owned: the claim is made once.
 */
export async function claimReservation(ctx: TickContext, run: Run, reservation: ReservationView | undefined): Promise<Claimed> {
  const { stage, accountId } = ctx.settings;
  const untouched = { reservation, events: [] };
  if (!stage || !reservation || reservation.ownerId !== accountId || reservation.state === "expired") return untouched;
  if (stageClaim(reservation.tags, stage).kind !== "claim") return untouched;

  const { region, capacityReservationId: id } = run.stored;
  // A failure (throttled; AccessDenied because another stage tagged it first) fails this block's turn: it backs
  // off and the next tick reads the tag EC2 then has. Nothing is bought meanwhile.
  await run.ec2.claimForStage(region, id, stage);
  ctx.logger.info("reservation claimed for this stage", { ...blockFields(run.stored), stage });
  const seen = await reread(ctx, run, reservation);
  // Without IAM's "only if untagged" condition (the emulator, an administrator's credentials) CreateTags overwrites:
  // another stage may have tagged after us, and the engine must see the owner EC2 now reports.
  if (seen && stageClaim(seen.tags, stage).kind === "other-stage") return { reservation: seen, events: [] };
  // Tags may take a moment to show in a describe; our CreateTags succeeded, so the reservation is ours.
  const claimed = { ...(seen ?? reservation), tags: { ...(seen ?? reservation).tags, [STAGE_TAG_KEY]: stage } };
  return { reservation: claimed, events: [stageClaimedEvent(id, stage)] };
}

/** The reservation as EC2 reports it after the claim; the claim stands on its own when the read fails. */
async function reread(ctx: TickContext, run: Run, before: ReservationView): Promise<ReservationView | undefined> {
  const { region, capacityReservationId: id } = run.stored;
  try {
    return (await run.ec2.describeReservations(region, [id])).get(id) ?? before;
  } catch (err) {
    ctx.logger.warn("could not re-read the reservation after claiming it; trusting the claim", {
      ...blockFields(run.stored),
      error: describeError(err),
    });
    return undefined;
  }
}
