import { type App } from "sst/constructs";

/** Set to 1 for `sst dev` to schedule the jobs that buy (the tick and the capacity-request worker) anyway. */
export const DEV_BUYING_VARIABLE = "CBM_DEV_BUYING";

/**
 * Whether the jobs that can spend money run on their schedule. `sst deploy`: always. `sst dev`: only when asked with
 * CBM_DEV_BUYING=1, because sst dev runs every function on the developer's laptop, against real EC2, with the
 * stage's real purchase rights, every minute; a personal stage would buy without anyone deciding it should.
 * The schedules are deployed disabled, so `CBM_DEV_BUYING=1 npx sst dev` turns them on without other changes.
 */
export function buyingJobsScheduled(mode: App["mode"], env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode !== "dev") return true;
  return env[DEV_BUYING_VARIABLE]?.trim() === "1";
}

/** What sst dev prints when it leaves the buying jobs unscheduled: the developer must not learn it from a quiet stage. */
export const DEV_BUYING_NOTICE =
  `CBM: sst dev does not schedule the tick and the capacity-request worker, which buy Capacity Blocks with real money ` +
  `(their EventBridge rules are deployed disabled). Run them by hand, use local mode (npm start), or set ` +
  `${DEV_BUYING_VARIABLE}=1 to schedule them.`;
