import type { CapacityReservation, EC2Client } from "@aws-sdk/client-ec2";
import { CbmApiError, type CreateBlockInput } from "../client";
import type { Command, CommandContext } from "../command";
import { CliError, EXIT, UsageError } from "../errors";
import { shortDate, table } from "../format";
import { readLine } from "../io";
import { findLocalDir, readLocalApi, readLocalEc2 } from "../local-files";
import { POLICY_HELP, POLICY_OPTIONS, policyInput } from "../policy-flags";

interface Found {
  region: string;
  capacityReservationId: string;
  ownerId: string;
  state: string;
  instanceType?: string;
  instanceCount?: number;
  availabilityZone?: string;
  endDate?: string;
  name?: string;
}

export interface ImportResult {
  accountId: string;
  regions: string[];
  found: Found[];
  /** Already managed (by reservation id): left alone. */
  managed: { capacityReservationId: string; PK: string }[];
  toRegister: Found[];
  registered: { capacityReservationId: string; PK: string }[];
  failed: { capacityReservationId: string; status: number; code: string; message: string }[];
  dryRun: boolean;
}

/** The EC2 client module, loaded only by `import`: the SDK is the heaviest part of the CLI to load. */
const ec2Sdk = () => import("@aws-sdk/client-ec2");

/**
 * The emulator of local mode, when the CLI talks to local mode's API and no endpoint was given: importing from it
 * needs no flags. Against any other API (a deployed stage) it is never used.
 */
async function localEmulator(ctx: CommandContext): Promise<{ endpoint: string; accountId: string } | undefined> {
  if (ctx.values["ec2-endpoint"] !== undefined || ctx.io.env.CBM_EC2_ENDPOINT) return undefined;
  const dir = findLocalDir(ctx.io.cwd, ctx.io.env);
  if (!dir) return undefined;
  const localUrl = readLocalApi(dir).apiUrl;
  if (!localUrl || localUrl.replace(/\/+$/, "") !== (await ctx.client()).apiUrl) return undefined;
  return readLocalEc2(dir);
}

async function ec2Client(ctx: CommandContext, region: string): Promise<EC2Client> {
  const { EC2Client } = await ec2Sdk();
  const endpoint =
    (ctx.values["ec2-endpoint"] as string | undefined) ?? ctx.io.env.CBM_EC2_ENDPOINT ?? (await localEmulator(ctx))?.endpoint;
  const env = ctx.io.env;
  // Against an emulator, no real credentials are needed; dummy ones keep the SDK from searching the chain.
  const dummy = endpoint && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
  return new EC2Client({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(dummy ? { credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" } } : {}),
  });
}

/** The caller's account: --account-id, $CBM_ACCOUNT_ID, or STS GetCallerIdentity when @aws-sdk/client-sts is installed. */
async function accountId(ctx: CommandContext): Promise<string> {
  const given = (ctx.values["account-id"] as string | undefined) ?? ctx.io.env.CBM_ACCOUNT_ID ?? (await localEmulator(ctx))?.accountId;
  if (given) {
    if (!/^\d{12}$/.test(given)) throw new UsageError(`--account-id must be 12 digits, not '${given}'`);
    return given;
  }
  let sts: {
    STSClient: new (c: object) => { send(c: unknown): Promise<{ Account?: string }>; destroy(): void };
    GetCallerIdentityCommand: new (i: object) => unknown;
  };
  try {
    // Optional dependency: resolved at run time so the CLI works without it when --account-id is given.
    const name = "@aws-sdk/client-sts";
    sts = (await import(name)) as typeof sts;
  } catch {
    throw new UsageError("Cannot tell which account owns the blocks: pass --account-id 123456789012 (or set CBM_ACCOUNT_ID)");
  }
  const client = new sts.STSClient({});
  try {
    const id = await client.send(new sts.GetCallerIdentityCommand({}));
    if (!id.Account) throw new Error("no Account in the answer");
    return id.Account;
  } catch (e) {
    throw new CliError(`STS GetCallerIdentity failed (${(e as Error).message}); pass --account-id to skip it`);
  } finally {
    client.destroy();
  }
}

function toFound(region: string, r: CapacityReservation): Found | undefined {
  if (!r.CapacityReservationId) return undefined;
  const name = r.Tags?.find((t) => t.Key === "Name")?.Value;
  return {
    region,
    capacityReservationId: r.CapacityReservationId,
    ownerId: r.OwnerId ?? "",
    state: r.State ?? "",
    ...(r.InstanceType ? { instanceType: r.InstanceType } : {}),
    ...(r.TotalInstanceCount !== undefined ? { instanceCount: r.TotalInstanceCount } : {}),
    ...(r.AvailabilityZone ? { availabilityZone: r.AvailabilityZone } : {}),
    ...(r.EndDate ? { endDate: r.EndDate.toISOString() } : {}),
    ...(name ? { name } : {}),
  };
}

async function discover(ctx: CommandContext, regions: string[], owner: string): Promise<Found[]> {
  const found: Found[] = [];
  for (const region of regions) {
    const ec2 = await ec2Client(ctx, region);
    const { paginateDescribeCapacityReservations } = await ec2Sdk();
    try {
      const pages = paginateDescribeCapacityReservations(
        { client: ec2, pageSize: 100 },
        {
          Filters: [
            { Name: "reservation-type", Values: ["capacity-block"] },
            { Name: "state", Values: ["active", "scheduled"] },
            { Name: "owner-id", Values: [owner] },
          ],
        },
      );
      for await (const page of pages) {
        for (const r of page.CapacityReservations ?? []) {
          const f = toFound(region, r);
          // Filters are applied server-side; checked again so a lenient endpoint cannot slip a shared block in.
          if (f && f.ownerId === owner && (f.state === "active" || f.state === "scheduled")) found.push(f);
        }
        if (!ctx.json && ctx.io.isTTY)
          ctx.io.stderr.write(`\rScanning ${region}: ${found.filter((f) => f.region === region).length} found`);
      }
      if (!ctx.json && ctx.io.isTTY) ctx.io.stderr.write("\n");
    } catch (e) {
      const name = (e as { name?: string }).name ?? "Error";
      throw new CliError(`DescribeCapacityReservations in ${region} failed (${name}): ${(e as Error).message}`);
    } finally {
      ec2.destroy();
    }
  }
  return found;
}

export const importCommand: Command = {
  name: "import",
  summary: "Register the account's capacity blocks that CBM does not manage yet",
  usage: "cbm import --regions us-east-1,us-west-2 [policy flags] [--yes] [--dry-run] [--account-id ID] [--ec2-endpoint URL] [--json]",
  help:
    "Finds capacity blocks owned by the account (active or scheduled) with DescribeCapacityReservations,\n" +
    "shows the plan and asks before registering them (scripts: --yes; without a terminal and without --yes, exit 2).\n" +
    "Each new block gets PK = reservation id and the policy from the flags.\n" +
    "  --account-id ID        the owning account (default: STS GetCallerIdentity, or $CBM_ACCOUNT_ID)\n" +
    "  --ec2-endpoint URL     talk to an EC2 emulator instead of AWS (or $CBM_EC2_ENDPOINT)\n\n" +
    POLICY_HELP,
  options: {
    regions: { type: "string" },
    yes: { type: "boolean", short: "y" },
    "dry-run": { type: "boolean" },
    "account-id": { type: "string" },
    "ec2-endpoint": { type: "string" },
    ...POLICY_OPTIONS,
  },
  args: [],
  async run(ctx) {
    const v = ctx.values;
    const regionsRaw = (v.regions as string | undefined) ?? ctx.io.env.AWS_REGION;
    if (!regionsRaw) throw new UsageError("--regions us-east-1,us-west-2 is required");
    const regions = [
      ...new Set(
        regionsRaw
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    ];
    for (const r of regions) if (!/^[a-z]{2}(-gov)?-[a-z]+-\d+$/.test(r)) throw new UsageError(`'${r}' is not a region name`);
    const policy = policyInput(v);
    const dryRun = Boolean(v["dry-run"]);
    if (!dryRun && !v.yes && !ctx.io.isTTY)
      throw new UsageError("import asks before registering; without a terminal pass --yes (or --dry-run to only look)");

    const owner = await accountId(ctx);
    const client = await ctx.client();
    const found = await discover(ctx, regions, owner);
    const existing = await client.list();
    const byReservation = new Map(existing.map((b) => [b.capacityReservationId, b.PK]));
    const managed = found
      .filter((f) => byReservation.has(f.capacityReservationId))
      .map((f) => ({ capacityReservationId: f.capacityReservationId, PK: byReservation.get(f.capacityReservationId)! }));
    const toRegister = found.filter((f) => !byReservation.has(f.capacityReservationId));
    const result: ImportResult = { accountId: owner, regions, found, managed, toRegister, registered: [], failed: [], dryRun };

    if (!ctx.json) {
      ctx.out(
        `Account ${owner}, ${regions.join(", ")}: ${found.length} capacity block(s) found, ${managed.length} already managed, ${toRegister.length} to register.`,
      );
      if (toRegister.length) {
        ctx.out(
          "\n" +
            table(
              ["RESERVATION", "REGION", "STATE", "INSTANCES", "END (UTC)", "NAME"],
              toRegister.map((f) => [
                f.capacityReservationId,
                f.region,
                f.state,
                `${f.instanceCount ?? "?"} × ${f.instanceType ?? "?"}`,
                shortDate(f.endDate),
                f.name ?? "-",
              ]),
            ),
        );
        if (policy) ctx.out(`\nPolicy: ${JSON.stringify(policy)}`);
      }
    }
    if (dryRun || !toRegister.length) {
      if (ctx.json) ctx.out(JSON.stringify(result, null, 2));
      else if (dryRun) ctx.out("\nDry run: nothing registered.");
      return 0;
    }
    if (!v.yes) {
      ctx.io.stderr.write(`\nRegister ${toRegister.length} block(s)? [y/N] `);
      if (!/^y(es)?$/i.test(await readLine(ctx.io.stdin))) {
        ctx.info("Nothing registered.");
        if (ctx.json) ctx.out(JSON.stringify(result, null, 2));
        return 0;
      }
    }
    let i = 0;
    for (const f of toRegister) {
      i++;
      const input: CreateBlockInput = {
        PK: f.capacityReservationId,
        capacityReservationId: f.capacityReservationId,
        region: f.region,
        ...(f.name ? { name: f.name } : {}),
        ...(policy ? { policy } : {}),
      };
      try {
        const b = await client.create(input);
        result.registered.push({ capacityReservationId: f.capacityReservationId, PK: b.PK });
        ctx.info(`[${i}/${toRegister.length}] registered ${f.capacityReservationId} (${f.region})`);
      } catch (e) {
        if (!(e instanceof CbmApiError)) throw e;
        result.failed.push({ capacityReservationId: f.capacityReservationId, status: e.status, code: e.code, message: e.message });
        ctx.info(`[${i}/${toRegister.length}] FAILED ${f.capacityReservationId}: ${e.message}`);
      }
    }
    if (ctx.json) ctx.out(JSON.stringify(result, null, 2));
    else
      ctx.out(
        `\nRegistered ${result.registered.length} of ${toRegister.length}${result.failed.length ? `; ${result.failed.length} failed` : ""}.`,
      );
    return result.failed.length ? EXIT.error : EXIT.ok;
  },
};
