/**
 * How long the emulator takes to serve one 1,000-item DescribeCapacityReservations page out of 10,000
 * reservations: server-side (raw HTTP, no SDK) and as an SDK round trip (including the SDK's XML parsing).
 *   npx tsx packages/ec2-emulator/bench/describe-page.ts
 */
import { DescribeCapacityReservationsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { startEmulator } from "../src/index";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const COUNT = 10_000;
const ROUNDS = 20;

const h = await startEmulator({ clock: { start: "2026-11-24T08:00:00Z" } });
for (let i = 0; i < COUNT; i++) {
  h.control.seedBlock({
    instanceType: i % 2 ? "p4d.24xlarge" : "p5.48xlarge",
    endDate: `2026-12-${String(1 + (i % 28)).padStart(2, "0")}T11:30:00Z`,
  });
}

async function rawPage(body: string): Promise<{ ms: number; bytes: number; next?: string }> {
  const t = performance.now();
  const res = await fetch(h.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  const text = await res.text();
  return { ms: performance.now() - t, bytes: text.length, next: /<nextToken>([^<]+)</.exec(text)?.[1] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: [string, string][] = [];

for (const [label, filter] of [
  ["raw HTTP, first page", ""],
  [
    "raw HTTP, first page, filter state=active&instance-type",
    "&Filter.1.Name=state&Filter.1.Value.1=active&Filter.2.Name=instance-type&Filter.2.Value.1=p4d.24xlarge",
  ],
] as const) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const r = await rawPage(`Action=DescribeCapacityReservations&Version=2016-11-15&MaxResults=1000${filter}`);
    times.push(r.ms);
    bytes = r.bytes;
  }
  rows.push([label, `${median(times).toFixed(1)} ms (${(bytes / 1024).toFixed(0)} KiB)`]);
}

// The last page of a full walk: the offset in the token makes it as cheap as the first.
let token: string | undefined;
for (let i = 0; i < 9; i++)
  token = (await rawPage(`Action=DescribeCapacityReservations&MaxResults=1000${token ? `&NextToken=${encodeURIComponent(token)}` : ""}`))
    .next;
const last: number[] = [];
for (let i = 0; i < ROUNDS; i++)
  last.push((await rawPage(`Action=DescribeCapacityReservations&MaxResults=1000&NextToken=${encodeURIComponent(token!)}`)).ms);
rows.push(["raw HTTP, 10th page via NextToken", `${median(last).toFixed(1)} ms`]);

const client = new EC2Client({ region: "us-east-1", endpoint: h.url, credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "x" } });
const sdk: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t = performance.now();
  await client.send(new DescribeCapacityReservationsCommand({ MaxResults: 1000 }));
  sdk.push(performance.now() - t);
}
rows.push(["SDK round trip (incl. client XML parse)", `${median(sdk).toFixed(1)} ms`]);

console.log(`DescribeCapacityReservations, ${COUNT} reservations, MaxResults=1000, median of ${ROUNDS}`);
for (const [label, value] of rows) console.log(`  ${label.padEnd(58)} ${value}`);
client.destroy();
await h.stop();
