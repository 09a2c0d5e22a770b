import { type SSTConfig } from "sst";
import { Api } from "./stacks/api.js";
import { LAMBDA_NODEJS } from "./stacks/bundling.js";
import { Notices } from "./stacks/notices.js";
import { Database } from "./stacks/database.js";
import { Jobs } from "./stacks/jobs.js";
import { Links } from "./stacks/links.js";
import { Monitoring } from "./stacks/monitoring.js";
import { suppressSstInternals } from "./stacks/nag.js";
import { Notifications } from "./stacks/notifications.js";
import { Secrets } from "./stacks/secrets.js";
import { logLevel, refuseProtectedStagesVariable } from "./stacks/stage.js";

export default {
  config() {
    return { name: "capacity-block-manager", region: process.env.AWS_REGION ?? "us-east-1" };
  },
  stacks(app) {
    // Settings that would otherwise fail later and quietly (a cold start, a removal) fail the deploy here.
    refuseProtectedStagesVariable();
    const level = logLevel();
    app.setDefaultFunctionProps((stack) => ({
      runtime: "nodejs22.x",
      architecture: "arm_64",
      // No X-Ray: its permissions are Resource "*" and the structured logs and metrics (issue 9) carry the ids.
      tracing: "disabled",
      // Minified ESM with the AWS SDK bundled and tree-shaken; see stacks/bundling.ts for what and why.
      nodejs: LAMBDA_NODEJS,
      environment: {
        STAGE: app.stage,
        ACCOUNT_ID: stack.account,
        POWERTOOLS_SERVICE_NAME: "cbm",
        LOG_LEVEL: level,
      },
    }));
    // Secrets after Api: the key's rotation function keeps the API's usage plan in line with the secret.
    app.stack(Database).stack(Links).stack(Notifications).stack(Api).stack(Secrets).stack(Jobs).stack(Notices).stack(Monitoring);
    suppressSstInternals(app);
  },
} satisfies SSTConfig;
