import {
  AlreadyManagedError,
  type Block,
  type ExtensionPolicy,
  InvalidStateError,
  NotFoundError,
  PurchaseInFlightError,
  VersionConflictError,
} from "@cbm/core";
import type { Seq } from "./reliability-io";
import {
  type BlockModel,
  InvariantError,
  type ModelApproval,
  type Notice,
  type Terms,
  canon,
  feeFor,
  resolveMoney,
  wantedHours,
} from "./reliability-model";
import { type ApiAction, type BlockSpec, type Edit, INSTANCE_TYPE } from "./reliability-commands";
import { type SchedulerHarness, iso, time } from "./scheduler-harness";
import { checkApprovals, checkCarried, describeTerms } from "./reliability-answers";

/*
 * What the model does through CBM's API (the same use cases the HTTP routes call), and what it writes down about
 * it: the registrations it created and deleted, the approvals it gave and what CBM said they cover, the denials.
 * Each answer is checked where the model knows better than CBM (the carried spend, the approval's terms, the
 * first release's PUTs leaving the policy alone).
 */

/** What one sequence shares between the world, its actions and its checks. */
export interface SequenceState {
  h: SchedulerHarness;
  seq: Seq;
  trace: string[];
  models: BlockModel[];
  /** Approval notices as the approver read them, in arrival order. */
  notices: Notice[];
  /** Every approval the model gave, by its unique `by`. */
  approvals: Map<string, ModelApproval>;
  /** Last version seen per registration (a new registration starts again at 1). */
  versions: Map<string, number>;
  rate: () => string;
  count: (what: string) => void;
  /** The model of a block changed: a tick in progress may have acted under the old or the new state. */
  changed: (m: BlockModel) => void;
}

export interface ActOptions {
  /** The action races a tick (or runs inside one of its EC2 calls): losing a race or a moment of absence is fine. */
  concurrent: boolean;
}

/** Answers that mean "not now" rather than "wrong": no end date yet, a purchase in flight, a lost race. */
function isRefusal(err: unknown, { concurrent }: ActOptions): boolean {
  if (err instanceof InvalidStateError || err instanceof PurchaseInFlightError || err instanceof VersionConflictError) return true;
  // Only a concurrent re-create can make the PK briefly absent.
  return concurrent && err instanceof NotFoundError;
}

/** The policy with one field set; null or undefined removes it (no limit). */
function withField(policy: ExtensionPolicy, field: Edit["field"], value: unknown): ExtensionPolicy {
  const out: Record<string, unknown> = { ...policy, [field]: value };
  if (value === null || value === undefined) delete out[field];
  return out as ExtensionPolicy;
}

export function modelActions(st: SequenceState) {
  const { h, trace } = st;
  const control = h.control;
  let actors = 0;

  const ec2End = (m: BlockModel) => canon(control.reservation(m.cr)!.endDate);

  /** The value an edit sends: money choices resolve against the fee of the block's wanted extension now. */
  function editValue(m: BlockModel, edit: Edit): unknown {
    if (edit.field !== "maxUpfrontFee" && edit.field !== "budget") return edit.value;
    const fee = feeFor(st.rate(), m.instanceCount, wantedHours(m.policy, ec2End(m)));
    return resolveMoney(edit.value, fee) ?? null;
  }

  function registerModel(
    m: Omit<BlockModel, "registration" | "registrations" | "present" | "denial" | "held">,
    block: Block,
    createIssued: number,
  ): BlockModel {
    const registration = { id: block.registrationId!, createIssued };
    st.versions.set(registration.id, block.version);
    return { ...m, registration, registrations: [registration], present: true, denial: null, held: null };
  }

  /** Ends the approval the block holds (withdrawn, denied, replaced, voided, deleted) as of logical time `seq`. */
  function endHeld(m: BlockModel, seq: number, why: string): void {
    if (!m.held) return;
    m.held.ended = { seq, why };
    m.held = null;
  }

  async function createBlock(b: BlockSpec, ids: { cr: string; pk: string }, endDate: string): Promise<BlockModel> {
    control.seedBlock({
      capacityReservationId: ids.cr,
      endDate,
      region: b.region,
      instanceCount: b.instanceCount,
      instanceType: INSTANCE_TYPE,
    });
    const fee = feeFor(st.rate(), b.instanceCount, b.extendByDays * 24);
    const cap = resolveMoney(b.maxUpfrontFee, fee);
    const budget = resolveMoney(b.budget, fee);
    const policy = {
      requireApproval: b.requireApproval,
      extendByDays: b.extendByDays,
      lookaheadHours: b.lookaheadHours,
      ...(cap ? { maxUpfrontFee: cap } : {}),
      ...(budget ? { budget } : {}),
      ...(b.maxExtensions !== null ? { maxExtensions: b.maxExtensions } : {}),
      ...(b.extendUntilDays !== null ? { extendUntil: iso(Date.parse(endDate) + b.extendUntilDays * time.DAY) } : {}),
    };
    const createIssued = st.seq.next();
    const { block } = await h.api.create({ PK: ids.pk, capacityReservationId: ids.cr, region: b.region, policy }, { actor: "model" });
    return registerModel(
      { pk: ids.pk, cr: ids.cr, region: b.region, instanceCount: b.instanceCount, policy: block.policy, unavailableHours: new Set() },
      block,
      createIssued,
    );
  }

  async function edit(m: BlockModel, e: Edit, opts: ActOptions): Promise<void> {
    try {
      const { block } = await h.api.update(m.pk, { policy: { [e.field]: editValue(m, e) } }, { actor: "model" });
      // An edit that read the registration a concurrent re-create has since deleted says nothing about the new one.
      if (block.registrationId !== m.registration.id)
        return void trace.push(`  edit landed on deleted registration ${block.registrationId}`);
      m.policy = block.policy;
      st.changed(m);
    } catch (err) {
      // An unpinned edit gives up after a few lost races with the scheduler; the model keeps the old policy.
      if (!isRefusal(err, opts)) throw err;
      trace.push(`  edit lost: ${(err as Error).message}`);
    }
  }

  /** PATCH /{PK}, or the first release's PUT `{approval: true}`: both approve the current window, never touching the policy. */
  async function approve(m: BlockModel, via: "patch" | "put", opts: ActOptions): Promise<ModelApproval | undefined> {
    const by = `model-${++actors}`;
    const policyBefore = structuredClone(m.policy);
    const issued = st.seq.next();
    let answer;
    try {
      answer = via === "patch" ? await h.api.approve(m.pk, { actor: by }) : await h.api.update(m.pk, { approval: true }, { actor: by });
    } catch (err) {
      // Before the first tick the block has no end date from EC2, and while a purchase is being settled the
      // window is uncertain: refusing is the right answer in both cases.
      if (!isRefusal(err, opts)) throw err;
      trace.push(`  approve (${via}) refused: ${(err as Error).message}`);
      return undefined;
    }
    const resolved = st.seq.next();
    const block: Block = answer.block;
    const v = block.approval;
    // A repeat (the window's approval is held, or its extension bought) records nothing: no new approval to model.
    if ("mode" in answer ? answer.mode === "repeat" : answer.warnings.some((w) => /nothing new was recorded/.test(w)))
      return void trace.push(`  approve (${via}) by ${by}: a repeat, nothing new`);
    if (!v || v.by !== by) throw new InvariantError(`approve (${via}) of ${m.pk} answered without the approval by ${by}`);
    if (!v.terms) throw new InvariantError(`approve (${via}) of ${m.pk} stored an approval without terms`);
    if (via === "put" && !opts.concurrent && block.policy.requireApproval !== policyBefore.requireApproval) {
      throw new InvariantError(`PUT {approval: true} on ${m.pk} changed requireApproval to ${block.policy.requireApproval}`);
    }
    const given: ModelApproval = {
      by,
      at: v.at,
      window: canon(v.window),
      registrationId: block.registrationId!,
      terms: v.terms as Terms,
      issued,
      resolved,
      policies: [policyBefore, structuredClone(m.policy)],
      checked: false,
    };
    st.approvals.set(by, given);
    if (given.registrationId === m.registration.id) {
      // One approval slot per block: a new approval replaces the one held, whatever its window.
      endHeld(m, resolved, `replaced by ${by}`);
      m.held = given;
      if (m.denial === given.window) m.denial = null;
      st.changed(m);
    }
    st.count(`approve-${via}`);
    trace.push(`  approve (${via}) by ${by} → ${describeTerms(given.terms)}`);
    return given;
  }

  async function deny(m: BlockModel, opts: ActOptions): Promise<void> {
    try {
      const { block: b } = await h.api.deny(m.pk, { actor: "model" });
      const resolved = st.seq.next();
      if (!b.denial) throw new InvariantError(`deny answered without a denial on ${m.pk}`);
      if (b.registrationId !== m.registration.id) return;
      m.denial = canon(b.denial.window);
      // A denial removes the approval of the same window only.
      if (m.held?.window === m.denial) endHeld(m, resolved, "denied");
      st.changed(m);
      trace.push(`  deny → window ${m.denial}`);
    } catch (err) {
      if (!isRefusal(err, opts)) throw err;
      trace.push(`  deny refused: ${(err as Error).message}`);
    }
  }

  /** The first release's PUT `{approval: false}`: withdraws an unused approval; it is not a denial and leaves the policy alone. */
  async function withdraw(m: BlockModel, opts: ActOptions): Promise<void> {
    const requireBefore = m.policy.requireApproval;
    try {
      const { block } = await h.api.update(m.pk, { approval: false }, { actor: "model" });
      const resolved = st.seq.next();
      if (!opts.concurrent) {
        if (block.approval) throw new InvariantError(`PUT {approval: false} on ${m.pk} left the approval by ${block.approval.by}`);
        if (block.policy.requireApproval !== requireBefore)
          throw new InvariantError(`PUT {approval: false} on ${m.pk} changed requireApproval to ${block.policy.requireApproval}`);
      }
      endHeld(m, resolved, "withdrawn");
      st.count("put-withdraw");
      trace.push("  approval withdrawn");
    } catch (err) {
      if (!isRefusal(err, opts)) throw err;
      trace.push(`  withdraw refused: ${(err as Error).message}`);
    }
  }

  /** A client that reads the whole record, changes its name and PUTs all of it back (read-only fields included). */
  async function putWholeRenamed(m: BlockModel, opts: ActOptions): Promise<void> {
    let before: Block;
    try {
      before = await h.api.get(m.pk);
    } catch (err) {
      if (!isRefusal(err, opts)) throw err;
      return;
    }
    const name = `renamed-${++actors}`;
    const body = { ...(JSON.parse(JSON.stringify(before)) as Record<string, unknown>), name };
    let block: Block;
    try {
      ({ block } = await h.api.update(m.pk, body, { actor: "model" }));
    } catch (err) {
      // Only a tick writing between the read and the PUT may make the echoed record stale (a version conflict).
      if (opts.concurrent && isRefusal(err, opts)) return void trace.push(`  whole-record PUT lost: ${(err as Error).message}`);
      throw new InvariantError(`the whole record of ${m.pk} read back and PUT with a new name was refused: ${(err as Error).message}`);
    }
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (block.name !== name) throw new InvariantError(`whole-record PUT on ${m.pk} did not rename it (name ${block.name})`);
    if (!same(block.policy, before.policy))
      throw new InvariantError(
        `whole-record PUT on ${m.pk} changed the policy: ${JSON.stringify(before.policy)} → ${JSON.stringify(block.policy)}`,
      );
    if (!same(block.approval?.by, before.approval?.by) || block.approved !== before.approved) {
      throw new InvariantError(
        `whole-record PUT on ${m.pk} changed the approval: ${JSON.stringify(before.approval)} → ${JSON.stringify(block.approval)}`,
      );
    }
    if (block.registrationId !== before.registrationId) throw new InvariantError(`whole-record PUT on ${m.pk} changed the registration`);
    st.count("put-whole");
    trace.push(`  renamed ${name}`);
  }

  /** Another PK for the same reservation: refused while this block manages it (two budgets for one reservation). */
  async function registerAgain(m: BlockModel): Promise<void> {
    if (!m.present) return;
    const pk = `${m.pk}-dup`;
    try {
      await h.api.create({ PK: pk, capacityReservationId: m.cr, region: m.region }, { actor: "model" });
    } catch (err) {
      if (!(err instanceof AlreadyManagedError)) throw err;
      st.count("dup-refused");
      return;
    }
    throw new InvariantError(`${m.cr} was registered again as ${pk} while ${m.pk} manages it`);
  }

  /**
   * DELETE, then POST of the same PK for the same reservation (with `e` applied to the policy). Refused while a
   * purchase is unsettled. The new registration must carry what the old one spent and bought.
   */
  async function recreate(m: BlockModel, e: Edit | null, opts: ActOptions): Promise<void> {
    const policy = e ? withField(m.policy, e.field, editValue(m, e)) : m.policy;
    let deleted: Block;
    try {
      deleted = await h.api.remove(m.pk, { actor: "model" });
    } catch (err) {
      if (!isRefusal(err, opts)) throw err;
      st.count("recreate-refused");
      return void trace.push(`  delete refused: ${(err as Error).message}`);
    }
    const deleteResolved = st.seq.next();
    if (deleted.registrationId !== m.registration.id)
      throw new InvariantError(`DELETE ${m.pk} removed registration ${deleted.registrationId}, the model had ${m.registration.id}`);
    m.registration.deleteResolved = deleteResolved;
    m.present = false;
    // Approvals and denials belong to the registration: the new one starts without them.
    endHeld(m, deleteResolved, "registration deleted");
    m.denial = null;

    const createIssued = st.seq.next();
    let created: Block;
    try {
      ({ block: created } = await h.api.create({ PK: m.pk, capacityReservationId: m.cr, region: m.region, policy }, { actor: "model" }));
    } catch (err) {
      throw new InvariantError(`re-creating ${m.pk} for ${m.cr} right after deleting it failed: ${(err as Error).message}`);
    }
    if (m.registrations.some((r) => r.id === created.registrationId))
      throw new InvariantError(`re-created ${m.pk} reuses registration ${created.registrationId}`);
    m.registration = { id: created.registrationId!, createIssued };
    m.registrations.push(m.registration);
    m.present = true;
    m.policy = created.policy;
    st.versions.set(m.registration.id, created.version);
    st.changed(m);
    checkCarried(m, deleted, created);
    st.count(deleted.pendingExtension ? "recreate-while-pending" : "recreate");
    trace.push(
      `  re-created as ${m.registration.id} (spent ${created.spent}, ${created.extensionsPurchased} paid${created.pendingExtension ? ", one pending" : ""}) ${JSON.stringify(m.policy)}`,
    );
  }

  async function run(i: number, act: ApiAction, opts: ActOptions): Promise<void> {
    const m = st.models[i]!;
    switch (act.k) {
      case "edit":
        return edit(m, act.edit, opts);
      case "approve":
        return void (await approve(m, "patch", opts));
      case "deny":
        return deny(m, opts);
      case "approve-then-edit":
        if (await approve(m, "patch", opts)) await edit(m, act.edit, opts);
        return;
      case "recreate":
        return recreate(m, act.edit, opts);
      case "put":
        if (act.body === "approval-true") return void (await approve(m, "put", opts));
        if (act.body === "approval-false") return withdraw(m, opts);
        return putWholeRenamed(m, opts);
      case "dup":
        return registerAgain(m);
    }
  }

  return { createBlock, run, approve, checkApprovals: (when: string) => checkApprovals(st, when), endHeld };
}
