/**
 * The historical defects, each as a variant of a model that spin must reject. `violates` names the property (a piece
 * of the assertion spin reports), so a variant that fails for an unrelated reason does not count as caught.
 */
export interface Variant {
  name: string;
  /** The defect as it was found, and where (issue or session note). */
  defect: string;
  file: string;
  defines: string[];
  violates: string;
}

export const VARIANTS: readonly Variant[] = [
  {
    name: "approval not bound to its terms",
    defect: "an approval was a flag: given for a quoted fee, it also covered a higher price later (issue 13)",
    file: "protocol.pml",
    defines: ["BUG_APPROVAL_UNBOUND"],
    violates: "(fee<=aSeen)",
  },
  {
    name: "version number reused after delete and re-create",
    defect: "writes checked the version only; a re-created block starts at version 1 again, so a stale tick's intent won (issue 13)",
    file: "protocol.pml",
    defines: ["BUG_VERSION_REUSE"],
    violates: "(rReg==bReg)",
  },
  {
    name: "settle wait shorter than the call it settles",
    defect: "an intent was settled 'not bought' while its call could still land; the late purchase bought twice (issue 21, finding 2)",
    file: "protocol.pml",
    defines: ["BUG_SHORT_SETTLE"],
    violates: "callAge[iSlot]<2",
  },
  {
    name: "spend reset by delete and re-create",
    defect: "spend belonged to the registration: deleting and re-creating a block reset its budget (issue 13)",
    file: "protocol.pml",
    defines: ["BUG_LEDGER_RESET"],
    violates: "ec2Spent-spendBase",
  },
  {
    name: "end date written on purchase",
    defect:
      "the stored end date moved when the purchase was answered, before EC2 reported payment-succeeded (DESIGN: what tools get wrong)",
    file: "protocol.pml",
    defines: ["BUG_END_ON_PURCHASE"],
    violates: "hist[bEnd]==3",
  },
  {
    name: "purchase retried by the SDK",
    defect: "the SDK retries a purchase by default; a timeout after EC2 committed bought twice (DESIGN: what tools get wrong)",
    file: "protocol.pml",
    defines: ["BUG_SDK_RETRY"],
    violates: "commits[callW[s]]<=1",
  },
  {
    name: "ambiguous outcome taken as not bought",
    defect: "a failed call meant 'nothing bought' and the next tick bought again, though EC2 had committed (issue 5)",
    file: "protocol.pml",
    defines: ["BUG_BLIND_REBUY"],
    violates: "callAge[iSlot]<2",
  },
  {
    name: "request settled before its call could no longer land",
    defect:
      "local mode's request worker settled after 30 s while EC2 held the purchase 45 s: two blocks for one request (issue 21, finding 2)",
    file: "requests.pml",
    defines: ["BUG_SHORT_SETTLE"],
    violates: "callAge[iSlot]<2",
  },
  {
    name: "second successor after re-registering",
    defect: "the successor request's id came from the registration: delete and re-register opened a second one (issue 21, finding 3)",
    file: "successor.pml",
    defines: ["BUG_SUCCESSOR_PER_REGISTRATION"],
    violates: "successors<=1",
  },
];
