import { checkDryRun, type Operation } from "../context";
import { Ec2Error, invalidValue } from "../errors";
import type { Reservation, Tag } from "../model";
import { findReservation } from "./common";

/** EC2's limit of user tags per resource. */
const MAX_TAGS = 50;

/**
 * CreateTags for capacity reservations (`cr-…`), the only resources the emulator has: adds or overwrites each tag,
 * exactly as EC2 does (no condition on the current value: "tag only if untagged" is an IAM condition in AWS, which
 * the emulator does not model). Only the owner may tag; a consumer of a shared block sees it but cannot.
 * All resources are checked before any is tagged, so a failed call changes nothing.
 */
export const createTags: Operation = (ctx, world) => {
  const { params } = ctx;
  const ids = params.list("ResourceId");
  if (ids.length === 0) throw new Ec2Error("MissingParameter", "The request must contain the parameter ResourceId");
  const tags = readTags(params.indexed("Tag"));
  if (tags.length === 0) throw new Ec2Error("MissingParameter", "The request must contain the parameter Tag");
  const reservations = ids.map((id) => {
    if (!id.startsWith("cr-")) throw new Ec2Error("InvalidID", `The ID '${id}' is not valid`);
    const r = findReservation(ctx, world, id);
    if (r.ownerId !== ctx.accountId) {
      throw world.codes.error(
        "not-owner",
        `You are not authorized to tag capacity reservation '${r.id}': it is owned by account ${r.ownerId}.`,
      );
    }
    if (merged(r, tags).length > MAX_TAGS)
      throw new Ec2Error("TagLimitExceeded", `The maximum number of tags (${MAX_TAGS}) for '${r.id}' is exceeded`);
    return r;
  });
  checkDryRun(ctx);
  for (const r of reservations) r.tags = merged(r, tags);
  return { return: true };
};

/** `Tag.N.Key` + `Tag.N.Value`; keys starting with `aws:` are reserved to AWS, as in EC2. */
function readTags(groups: Map<string, string>[]): Tag[] {
  return groups.map((g, i) => {
    const key = g.get("Key");
    if (!key) throw new Ec2Error("MissingParameter", `The request must contain the parameter Tag.${i + 1}.Key`);
    if (key.toLowerCase().startsWith("aws:")) throw invalidValue(`Tag keys starting with 'aws:' are reserved for internal use`);
    return { key, value: g.get("Value") ?? "" };
  });
}

/** The reservation's tags with `tags` added, a key already present taking the new value. */
function merged(r: Reservation, tags: Tag[]): Tag[] {
  const byKey = new Map(r.tags.map((t) => [t.key, t.value]));
  for (const t of tags) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}
