import {
  type Block,
  type BlockStore,
  type BlockUsage,
  canonicalIso,
  CbmError,
  idleHours,
  type Ids,
  type Notifier,
  sameInstant,
  VersionConflictError,
} from "@cbm/core";

/** The actor of CBM's own idle denials: only those are lifted automatically. */
export const IDLE_ACTOR = "cbm:idle";

export interface IdleSkipDeps {
  store: Pick<BlockStore, "update">;
  notifier: Notifier;
  ids: Ids;
}

/**
 * Policy `skipExtensionWhenIdleHours`: a block idle that long gets its current window's extension denied by CBM
 * itself (the same denial a person gives, so the engine needs nothing new), with one notice; once instances run
 * again, only CBM's own denial is lifted and the block is due at once. A person's approval of the window wins: CBM
 * never overrides it. Conflicts and windows that are not certain (a purchase in flight) are left for the next pass.
 */
export async function applyIdleSkip(deps: IdleSkipDeps, block: Block, usage: BlockUsage, now: Date): Promise<"denied" | "lifted" | null> {
  const hours = block.policy.skipExtensionWhenIdleHours;
  const at = now.toISOString();
  const ownDenial = block.denial?.by === IDLE_ACTOR;
  try {
    if (usage.idleSince === null && ownDenial) {
      const window = block.denial!.window;
      await deps.store.update({ ...block, denial: null, nextCheckAt: at, updatedAt: at }, block.version, [
        {
          PK: block.PK,
          at,
          id: deps.ids.next(),
          type: "updated",
          actor: IDLE_ACTOR,
          message: `Instances run again: the idle skip of the window ending ${window} is lifted`,
        },
      ]);
      return "lifted";
    }
    if (hours === undefined || !block.endDate || idleHours(usage, at) < hours || block.intent) return null;
    const window = canonicalIso(block.endDate);
    // Only the current window, and only while nothing is bought or decided for it (by CBM or by a person).
    if (
      block.denial ||
      sameInstant(block.approval?.window, window) ||
      sameInstant(block.pendingExtension?.window, window) ||
      sameInstant(block.lastPurchaseWindow, window)
    )
      return null;
    const comment = `nothing has run in it since ${usage.idleSince}, ${hours} h or more (policy skipExtensionWhenIdleHours)`;
    // The same denial a person gives (see core's applyVerdict), built here so this function's bundle stays small.
    const status = block.status === "awaiting-approval" || block.status === "approved" ? "denied" : block.status;
    const denied: Block = {
      ...block,
      approved: false,
      denial: { window, by: IDLE_ACTOR, at, comment },
      status,
      updatedAt: at,
      nextCheckAt: at,
    };
    await deps.store.update(denied, block.version, [
      {
        PK: block.PK,
        at,
        id: deps.ids.next(),
        type: "denied",
        actor: IDLE_ACTOR,
        message: `Denied the extension for the window ending ${window}: ${comment}`,
        data: { window, comment },
      },
    ]);
    await deps.notifier.send({
      key: `${block.PK}#${denied.denial!.window}#idle`,
      kind: "stopped",
      pk: block.PK,
      subject: `CBM: ${block.name ?? block.PK} is idle; its extension is skipped`,
      body:
        `CBM will not extend ${block.capacityReservationId} (${block.PK}) in the window ending ${denied.denial!.window}: ${comment}. ` +
        `If instances run again, CBM lifts this itself; to extend anyway, approve the window (cbm approve ${block.PK} --next, or Approve on the console's block page).`,
      at,
    });
    return "denied";
  } catch (err) {
    // Someone wrote first, or the window is not certain now: the next pass decides again.
    if (err instanceof VersionConflictError || err instanceof CbmError) return null;
    throw err;
  }
}
