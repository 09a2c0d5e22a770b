import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** One socket a process listens on (TCP) or is bound to (UDP), read from Linux's /proc. */
export interface BoundSocket {
  pid: number;
  protocol: "tcp" | "tcp6" | "udp" | "udp6";
  address: string;
  port: number;
}

/** `pid` and every process below it (DynamoDB Local's java runs in its own process group, but is still a child). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** /proc/net/tcp writes an IPv4 address as one little-endian word, IPv6 as four of them. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(""));
  if (words.length === 1)
    return words[0]!
      .match(/../g)!
      .map((b) => parseInt(b, 16))
      .join(".");
  const groups = words
    .join("")
    .match(/.{4}/g)!
    .map((g) => parseInt(g, 16).toString(16));
  const v4mapped = groups.slice(0, 5).every((g) => g === "0") && groups[5] === "ffff";
  if (v4mapped) return `::ffff:${decodeAddress(words[3]!.match(/../g)!.reverse().join(""))}`;
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

/**
 * Every listening TCP socket and bound UDP socket of the given processes. /proc/<pid>/net/* lists the whole network
 * namespace, so a socket counts only if one of the processes holds its inode among its open files.
 */
export function boundSockets(pids: number[]): BoundSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) owner.set(m[1]!, pid);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  const out: BoundSocket[] = [];
  for (const protocol of ["tcp", "tcp6", "udp", "udp6"] as const) {
    const table = readFileSync(`/proc/${pids[0]}/net/${protocol}`, "utf8").trim().split("\n").slice(1);
    for (const row of table) {
      const f = row.trim().split(/\s+/);
      const [addrHex, portHex] = f[1]!.split(":");
      const state = f[3]!;
      const inode = f[9]!;
      const listening = protocol.startsWith("tcp") ? state === "0A" : true; // 0A = LISTEN; UDP has no listen state
      const pid = owner.get(inode);
      if (listening && pid !== undefined) out.push({ pid, protocol, address: decodeAddress(addrHex!), port: parseInt(portHex!, 16) });
    }
  }
  return out;
}

export const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
