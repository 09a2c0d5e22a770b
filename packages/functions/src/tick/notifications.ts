import type { ApprovalNotice, Authorization, Block, ExtensionOffering, ExtensionRecord, Notification, PendingExtension } from "@cbm/core";
import { autoApprovalLines, notStartedText, describeTerms, durationText, escapeUnsafeText, termsForQuote } from "@cbm/core";

/** Where the texts point people: the real API URL when configured, a `$API_URL` placeholder otherwise. */
export interface NotificationTextOptions {
  apiUrl?: string;
  /** The notice's signed approval link; it goes first, so a person can answer without curl or an API key. */
  link?: string;
}

function label(b: Block): string {
  return escapeUnsafeText(b.name ?? b.PK);
}

function blockLine(b: Block): string {
  return `${b.name ? `"${escapeUnsafeText(b.name)}" ` : ""}(PK ${b.PK}, ${b.capacityReservationId}, ${b.region})`;
}

function timeLeft(endIso: string | undefined | null, now: Date): string {
  if (!endIso) return "unknown";
  const ms = Date.parse(endIso) - now.getTime();
  if (ms <= 0) return "ended";
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return h >= 48 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h} h ${m} min`;
}

function days(hours: number): string {
  return hours % 24 === 0 ? `${durationText(hours)} (${hours} h)` : durationText(hours);
}

/**
 * The commands name the window asked about, so running one again (a retry, a second paste) after that window was
 * bought answers "already bought" and never reaches the next window, which a later notice asks about on its own.
 */
function howToAnswer(b: Block, window: string, opts: NotificationTextOptions): string {
  const url = opts.apiUrl ? opts.apiUrl.replace(/\/+$/, "") : "$API_URL";
  const pk = encodeURIComponent(b.PK);
  const body = `-H "Content-Type: application/json" -d '{"window":"${window}"}'`;
  return [
    "Approve:",
    `  curl -X PATCH "${url}/${pk}" -H "x-api-key: $API_KEY" ${body}`,
    `  cbm approve ${b.PK} --window ${window}`,
    "Deny this window:",
    `  curl -X POST "${url}/${pk}/deny" -H "x-api-key: $API_KEY" ${body}`,
    `  cbm deny ${b.PK} --window ${window}`,
  ].join("\n");
}

const NOTICE_KIND = {
  first: "approval-request",
  reminder: "approval-reminder",
  "last-call": "approval-last-call",
  "terms-changed": "approval-request",
} as const satisfies Record<ApprovalNotice, Notification["kind"]>;

export function approvalNotification(
  b: Block,
  window: string,
  offering: ExtensionOffering,
  notice: ApprovalNotice,
  count: number,
  now: Date,
  opts: NotificationTextOptions,
  voided?: string,
): Notification {
  const prefix = {
    first: "Approval needed",
    reminder: "Reminder: approval needed",
    "last-call": "LAST CALL: approval needed",
    "terms-changed": "New approval needed",
  }[notice];
  const terms = describeTerms(termsForQuote(b, window, offering));
  const body = [
    ...(opts.link
      ? [
          "Review and approve or deny here:",
          opts.link,
          "(Opening the link changes nothing; it answers once, for this window and these terms only.)",
          "",
        ]
      : []),
    `CBM wants to extend capacity block ${blockLine(b)}.`,
    ...(voided !== undefined
      ? [
          "",
          `The approval given earlier no longer covers this purchase: ${voided}. It was voided; nothing is bought unless you approve the new terms.`,
        ]
      : []),
    "",
    `Your approval covers exactly: ${terms}.`,
    "",
    `Current end:   ${window} (${timeLeft(window, now)} left; instances are terminated from 30 min before)`,
    `Extension:     ${days(offering.durationHours)}, until ${offering.endDate}`,
    `Upfront fee:   ${offering.upfrontFee} ${offering.currencyCode} (offering ${offering.offeringId}; paid up front, no refund)`,
    `Instances:     ${offering.instanceCount ?? b.instanceCount ?? "?"} x ${offering.instanceType ?? b.instanceType ?? "?"}`,
    "",
    notice === "last-call"
      ? "The purchase window closes soon. Without approval the block ends at its current end date."
      : "Nothing is bought without your approval.",
    "",
    howToAnswer(b, window, opts),
  ].join("\n");
  return {
    key: `${b.PK}#${window}#${notice}#${count}`,
    kind: NOTICE_KIND[notice],
    pk: b.PK,
    subject: `CBM: ${prefix} to extend ${label(b)} by ${days(offering.durationHours)} for ${offering.upfrontFee} ${offering.currencyCode}`,
    body,
    at: now.toISOString(),
  };
}

/** The purchase's notice; `authorization` is the intent's, so an automatic approval says it was one. */
export function purchasedNotification(b: Block, p: PendingExtension, now: Date, authorization?: Authorization): Notification {
  return {
    key: `${b.PK}#${p.window}#purchased`,
    kind: "purchased",
    pk: b.PK,
    subject: `CBM: bought ${days(p.durationHours)} extension of ${label(b)} for ${p.upfrontFee} ${p.currencyCode}`,
    body: [
      `CBM bought an extension of capacity block ${blockLine(b)}.`,
      "",
      `Current end:   ${p.window} (${timeLeft(p.window, now)} left)`,
      `Extension:     ${days(p.durationHours)} (offering ${p.offeringId})`,
      `Upfront fee:   ${p.upfrontFee} ${p.currencyCode}`,
      "",
      "EC2 now collects the payment; the end date moves once it succeeds. CBM watches it and alerts if it fails.",
      ...autoApprovalLines(authorization),
    ].join("\n"),
    at: now.toISOString(),
  };
}

export function paymentPendingAlert(b: Block, ext: ExtensionRecord | PendingExtension, window: string, now: Date): Notification {
  const fee = ext.upfrontFee;
  return {
    key: `${b.PK}#${window}#payment-pending-alert`,
    kind: "payment-pending-alert",
    pk: b.PK,
    subject: `CBM: payment for ${label(b)} still pending, block ends in ${timeLeft(window, now)}`,
    body: [
      `The extension of capacity block ${blockLine(b)} is still payment-pending.`,
      "",
      `Current end:   ${window} (${timeLeft(window, now)} left)`,
      `Extension:     ${days(ext.durationHours)} for ${fee} ${ext.currencyCode}`,
      "",
      "EC2 must collect the payment by 35 min before the end, or the extension fails and the block ends as planned.",
      "Check the account's payment method; plan to checkpoint your workload.",
    ].join("\n"),
    at: now.toISOString(),
  };
}

/** A stop worth telling people about (the block will end or needs a person), sent once per window and reason. */
export function stopNotification(
  b: Block,
  reason: string,
  detail: string,
  window: string | undefined,
  now: Date,
  opts: NotificationTextOptions,
): Notification {
  const kind: Notification["kind"] = reason === "no-offering" ? "no-offering" : reason === "payment-failed" ? "payment-failed" : "stopped";
  const end = window ?? b.endDate ?? undefined;
  // A block a request just bought has not started: its end is not news, and the notice says so first.
  const notStarted = notStartedText(b, now);
  return {
    key: `${b.PK}#${end ?? "-"}#${reason}`,
    kind,
    pk: b.PK,
    subject: notStarted
      ? `CBM: ${label(b)} ${notStarted}; no extension yet for its end (${reason})`
      : `CBM: ${label(b)} not extended: ${reason}`,
    body: [
      ...(notStarted ? [`Capacity block ${blockLine(b)} ${notStarted}. Nothing ends soon; this is about extending it later.`, ""] : []),
      `CBM is not extending capacity block ${blockLine(b)}: ${reason}.`,
      detail,
      "",
      `Current end:   ${end ?? "unknown"} (${timeLeft(end, now)} left)`,
      "",
      reason === "no-offering" || reason === "price-above-cap"
        ? "CBM keeps retrying with backoff while the window is open."
        : reason === "not-owned"
          ? "Only the reservation's owner account can extend it; CBM keeps watching it:"
          : "Change the block's policy to let CBM act again:",
      `  curl "${opts.apiUrl ? opts.apiUrl.replace(/\/+$/, "") : "$API_URL"}/${encodeURIComponent(b.PK)}" -H "x-api-key: $API_KEY"`,
      `  cbm get ${b.PK}`,
    ].join("\n"),
    at: now.toISOString(),
  };
}
