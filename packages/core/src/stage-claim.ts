/*
 * Which CBM stage may buy for a reservation. Each stage (prod, dev, a personal `sst dev` stage) has its own table
 * and so its own purchase intents: two stages managing one reservation would each win their own intent and both
 * buy. The reservation's `cbm:stage` tag at EC2 says which stage it belongs to; the tick claims an untagged one
 * for its stage before buying (IAM lets a stage tag only untagged reservations and buy only for its own tag).
 *
 * Local mode runs without a stage on purpose, not as stage "local": its emulator world is its own, so a claim would
 * protect nothing there, while `--aws` (self-hosting against real EC2) would claim every block a laptop once looked
 * at and lock the deployed stage out of it. Without a stage it claims nothing and leaves claimed reservations alone.
 */

import type { EventSpec } from "./history-events";

/** The EC2 tag that says which CBM stage a capacity reservation belongs to. */
export const STAGE_TAG_KEY = "cbm:stage";

/**
 * What a stage may do with a reservation, by its tags at EC2:
 * `unstaged`: no stage configured (tests, local mode) and the reservation untagged: buy as before, claim nothing;
 * `owned`: tagged for this stage: may buy;
 * `claim`: untagged: this stage must tag it (claim it) before it may buy;
 * `other-stage`: tagged for another stage (any other value, empty included): never buy for it. A process without a
 *   stage respects the tag too: local mode run against real AWS must not buy for a deployed stage's block.
 */
export type StageClaim = { kind: "unstaged" } | { kind: "owned" } | { kind: "claim" } | { kind: "other-stage"; stage: string };

/** May `stage` buy for a reservation tagged `tags`? Only one stage can own a reservation, the first that claims it. */
export function stageClaim(tags: Readonly<Record<string, string>> | undefined, stage: string | undefined): StageClaim {
  // Own-property lookup: a tag map is data from EC2, and "constructor" or "__proto__" must not read as a tag.
  const tagged = tags && Object.hasOwn(tags, STAGE_TAG_KEY) ? tags[STAGE_TAG_KEY] : undefined;
  if (tagged === undefined) return stage ? { kind: "claim" } : { kind: "unstaged" };
  // An empty stage is no stage: it owns nothing, not even a reservation tagged with an empty value.
  return stage && tagged === stage ? { kind: "owned" } : { kind: "other-stage", stage: tagged };
}

/** The reason a stage gives for not buying for a reservation another stage claimed (the block's statusReason). */
export function otherStageDetail(owner: string, stage: string | undefined): string {
  const self = stage ? `this stage (${JSON.stringify(stage)})` : "CBM without a stage";
  return `claimed by stage ${JSON.stringify(owner)}; ${self} does not buy for it`;
}

/** History: the tick tagged the reservation for its stage, so only this stage buys for it from now on. */
export const stageClaimedEvent = (capacityReservationId: string, stage: string): EventSpec => ({
  type: "stage-claimed",
  message: `Claimed ${capacityReservationId} for stage ${JSON.stringify(stage)}: tagged ${STAGE_TAG_KEY}=${stage} at EC2`,
  data: { capacityReservationId, stage },
});
