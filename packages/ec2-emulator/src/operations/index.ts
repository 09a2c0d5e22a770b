import type { Operation } from "../context";
import { createTags } from "./create-tags";
import { describeBlockOfferings } from "./describe-block-offerings";
import { describeCapacityBlockStatus } from "./describe-capacity-block-status";
import { describeCapacityBlocks } from "./describe-capacity-blocks";
import { describeCapacityReservations } from "./describe-capacity-reservations";
import { describeExtensionHistory } from "./describe-extension-history";
import { describeExtensionOfferings } from "./describe-extension-offerings";
import { purchaseBlock } from "./purchase-block";
import { purchaseExtension } from "./purchase-extension";

/** The EC2 actions the emulator answers; any other action is InvalidAction. */
export const OPERATIONS: Record<string, Operation> = {
  DescribeCapacityReservations: describeCapacityReservations,
  DescribeCapacityBlockExtensionOfferings: describeExtensionOfferings,
  PurchaseCapacityBlockExtension: purchaseExtension,
  DescribeCapacityBlockExtensionHistory: describeExtensionHistory,
  DescribeCapacityBlockOfferings: describeBlockOfferings,
  PurchaseCapacityBlock: purchaseBlock,
  DescribeCapacityBlocks: describeCapacityBlocks,
  DescribeCapacityBlockStatus: describeCapacityBlockStatus,
  CreateTags: createTags,
};

/** Purchases spend money: the faults that model "it happened but you could not tell" apply to them. */
export const PURCHASE_ACTIONS = new Set(["PurchaseCapacityBlockExtension", "PurchaseCapacityBlock"]);
