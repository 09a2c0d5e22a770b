import { AlreadyExistsError, AlreadyManagedError, type BlockStore } from "@cbm/core";
import type { BlockUseCases } from "../../blocks";
import type { RegisterBlock } from "./context";

/**
 * Registers a bought block through the same use case as `POST /`, so it gets a registration, history and the
 * spend ledger like any other, with its own fee in `spent`. Idempotent for the worker: if an earlier run registered
 * it (and crashed before recording that), the block that already manages the reservation is the answer, and its fee
 * is not counted again.
 */
export function createRegisterBlock(blocks: Pick<BlockUseCases, "create">, store: Pick<BlockStore, "get">): RegisterBlock {
  return async ({ pk, capacityReservationId, region, name, tags, policy, actor, bought }) => {
    const body = { PK: pk, capacityReservationId, region, ...(name ? { name } : {}), ...(tags ? { tags } : {}), policy };
    try {
      return (await blocks.create(body, { actor, ...(bought ? { bought } : {}) })).block.PK;
    } catch (err) {
      if (err instanceof AlreadyManagedError) return err.managedBy;
      if (!(err instanceof AlreadyExistsError)) throw err;
      const existing = await store.get(pk);
      if (existing?.capacityReservationId === capacityReservationId) return existing.PK;
      // The wanted PK belongs to another block: register under the reservation id, which cannot be taken by another.
      return (await blocks.create({ ...body, PK: capacityReservationId }, { actor, ...(bought ? { bought } : {}) })).block.PK;
    }
  };
}
