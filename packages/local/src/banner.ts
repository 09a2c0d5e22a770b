import type { LocalHandle } from "./local-options";

export interface BannerInput {
  handle: LocalHandle;
  clockRate: number;
  tickSeconds: number;
  dataDir?: string;
  seeded: boolean;
  aws?: { regions: string[]; table: string; topicArn?: string };
  /** This process (node), which a signal stops cleanly; a signal to npm does too, as npm or its shell then ends. */
  pid: number;
}

/** What `npm start` prints once it is ready: where the API is, its key, and commands to paste. */
export function banner({ handle, clockRate, tickSeconds, dataDir, seeded, aws, pid }: BannerInput): string {
  const { apiUrl, apiKey, keyFile, keyCreated } = handle;
  const tickEvery = handle.tickIntervalMs > 0 ? `${(handle.tickIntervalMs / 1000).toFixed(handle.tickIntervalMs % 1000 ? 1 : 0)} s` : "off";
  const what = aws
    ? `real AWS: table ${aws.table} in ${aws.regions[0]}, regions ${aws.regions.join(", ")}${aws.topicArn ? `, notifications to ${aws.topicArn}` : ""}`
    : [
        `DynamoDB Local ${dataDir ? `and the emulator's world in ${dataDir}` : "(in memory)"}`,
        `EC2 emulator${seeded ? " with 6 demo blocks" : ""} at ${handle.emulator?.url ?? "-"}`,
        clockRate === 1 ? "real-time clock" : `clock ×${clockRate}`,
      ].join(", ");
  const example = seeded && !aws ? "llm-pretrain" : "<PK>";
  const lines = [
    "",
    "Capacity Block Manager is running locally.",
    `  ${what}`,
    `  scheduler every ${tickEvery}${clockRate !== 1 && !aws ? ` (${tickSeconds} s of emulator time)` : ""}`,
    "",
    `  API URL:  ${apiUrl}`,
    `  API key:  ${apiKey}`,
    `            ${keyCreated ? "new, saved" : "reused from"} ${keyFile} (readable only by you)`,
    `  Console:  ${apiUrl}/console (sign in with the API key; approval notices carry a link to answer in the browser)`,
    "",
    "In another terminal:",
    "",
    `  export API_URL=${apiUrl} API_KEY=${apiKey}`,
    "",
    "  # List all managed blocks",
    "  curl -X GET $API_URL \\",
    '    -H "x-api-key: $API_KEY" \\',
    '    -H "Content-Type: application/json"',
    "",
    `  # Approve ${seeded && !aws ? "llm-pretrain's extension (it asks for approval on the first tick)" : "a block's extension"}`,
    `  curl -X PATCH "$API_URL/${example}" \\`,
    '    -H "x-api-key: $API_KEY" \\',
    '    -H "Content-Type: application/json"',
    "",
    "  # Notifications (approval requests, purchases …)",
    '  curl "$API_URL/_local/outbox" -H "x-api-key: $API_KEY"',
    "",
    ...(seeded && !aws
      ? [
          "  # One block with its usage: trn2-experiments runs nothing, so after an idle hour CBM skips its extension",
          '  curl "$API_URL/trn2-experiments" -H "x-api-key: $API_KEY"',
          "",
        ]
      : []),
    "Or with the CLI, which finds this API by itself:",
    "",
    "  npm run cbm -- list",
    `  npm run cbm -- approve ${example}`,
    `  npm run cbm -- history ${example}`,
    ...(seeded && !aws ? ["  npm run cbm -- get trn2-experiments"] : []),
    // The CLI finds local mode's emulator and account by itself (cbm import's localEmulator).
    ...(aws ? [] : ["  npm run cbm -- import --regions us-east-1,us-west-2 --dry-run"]),
    "",
    `Ctrl-C (or kill ${pid}) stops everything.`,
    "",
  ];
  return lines.join("\n");
}
