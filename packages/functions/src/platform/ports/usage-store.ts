import type { BlockUsage, UsageReader } from "@cbm/core";

export interface SamplerState {
  cursor?: string;
  /** When the last full pass over the blocks ended. */
  passEndedAt?: string;
}

export interface UsageStore extends UsageReader {
  put(usage: BlockUsage): Promise<void>;
  sampler(): Promise<SamplerState>;
  saveSampler(state: SamplerState): Promise<void>;
}
