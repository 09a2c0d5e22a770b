const DIRECTIONS: Record<string, string> = {
  east: "e",
  west: "w",
  north: "n",
  south: "s",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** A zone id in AWS's shape ("us-east-1a" → "use1-az1"); real ids are shuffled per account, ours are not. */
export function availabilityZoneId(availabilityZone: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(availabilityZone);
  if (!m) return `${availabilityZone}-az1`;
  const [, geo, direction, number, letter] = m as unknown as [string, string, string, string, string];
  return `${geo}${DIRECTIONS[direction] ?? direction[0]}${number}-az${letter.charCodeAt(0) - 96}`;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function isRegion(value: string): boolean {
  return REGION.test(value);
}
