/*
 * Which CBM stage may buy for a reservation. Each stage (prod, dev, a personal `sst dev` stage) has its own table
 * and so its own purchase intents: two stages managing one reservation would each win their own intent and both
 * buy. The reservation's `cbm:stage` tag at EC2 says which stage it belongs to; the tick claims an untagged one
 * for its stage before buying (IAM lets a stage tag only untagged reservations and buy only for its own tag).
 */

/** The EC2 tag that says which CBM stage a capacity reservation belongs to. */
export const STAGE_TAG_KEY = "cbm:stage";

/**
 * What a stage may do with a reservation, by its tags at EC2:
 * `unstaged`: no stage configured (tests, local mode without one): buy as before, no claim;
 * `owned`: tagged for this stage: may buy;
 * `claim`: untagged: this stage must tag it (claim it) before it may buy;
 * `other-stage`: tagged for another stage (any other value, empty included): never buy for it.
 */
export type StageClaim = { kind: "unstaged" } | { kind: "owned" } | { kind: "claim" } | { kind: "other-stage"; stage: string };

/** May `stage` buy for a reservation tagged `tags`? Only one stage can own a reservation, the first that claims it. */
export function stageClaim(tags: Readonly<Record<string, string>> | undefined, stage: string | undefined): StageClaim {
  if (!stage) return { kind: "unstaged" };
  // Own-property lookup: a tag map is data from EC2, and "constructor" or "__proto__" must not read as a tag.
  const tagged = tags && Object.hasOwn(tags, STAGE_TAG_KEY) ? tags[STAGE_TAG_KEY] : undefined;
  if (tagged === undefined) return { kind: "claim" };
  return tagged === stage ? { kind: "owned" } : { kind: "other-stage", stage: tagged };
}

/** The reason a stage gives for not buying for a reservation another stage claimed (the block's statusReason). */
export function otherStageDetail(owner: string, stage: string): string {
  return `claimed by stage ${JSON.stringify(owner)}; this stage (${JSON.stringify(stage)}) does not buy for it`;
}
