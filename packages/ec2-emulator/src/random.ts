/** A small seeded PRNG (mulberry32): ids and probability faults must be reproducible from a seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resource ids in AWS's shape: prefix + 17 lowercase hex characters (the first one 0, as EC2's usually are). */
export class Ids {
  private random: () => number;
  private issued = 0;
  constructor(private readonly seed = 0xcb) {
    this.random = createRandom(seed);
  }

  next(prefix: "cr" | "cb" | "cbe"): string {
    let hex = "0";
    while (hex.length < 17) hex += Math.floor(this.random() * 16).toString(16);
    this.issued += 1;
    return `${prefix}-${hex}`;
  }

  /** How many ids were issued since the last reset: a restarted emulator must not hand out the same ones again. */
  count(): number {
    return this.issued;
  }

  /** Continues after `issued` ids, by replaying the sequence (cheap: 16 draws per id). */
  skip(issued: number): void {
    this.reset();
    while (this.issued < issued) this.next("cr");
  }

  reset(): void {
    this.random = createRandom(this.seed);
    this.issued = 0;
  }
}

export const RESOURCE_ID = {
  cr: /^cr-[0-9a-f]{17}$/,
  cb: /^cb-[0-9a-f]{17}$/,
  cbe: /^cbe-[0-9a-f]{17}$/,
};
