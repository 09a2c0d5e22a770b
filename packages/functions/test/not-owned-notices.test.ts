import { describe, expect, it } from "vitest";
import { expiryReminderNotification } from "../src/notices/expiry-reminders";
import { stopNotification } from "../src/tick/notifications";
import { makeBlock } from "./support/blocks";

/*
 * Issue 22, "every surface tells the same truth", found walking the README's demo: partner-shared is shared in from
 * another account, and the README, `cbm get` and the console say only its owner can extend it. Its notices told
 * the reader to change its policy ("to let CBM act again", "cbm update partner-shared …"), which changes nothing.
 */

const NOW = new Date("2031-05-10T07:30:00.000Z");
const shared = () =>
  makeBlock({
    PK: "partner-shared",
    startDate: "2031-05-01T11:30:00.000Z",
    endDate: "2031-05-15T11:30:00.000Z",
    status: "not-owned",
    policy: { ...makeBlock().policy, requireApproval: false },
  });

describe("notices about a block another account owns", () => {
  it("the stop notice says only the owner can extend it, not to change the policy", () => {
    const n = stopNotification(shared(), "not-owned", "owned by 111122223333", undefined, NOW, {});

    expect(n.body).not.toMatch(/policy/);
    expect(n.body).toMatch(/Only the reservation's owner account can extend it/);
  });

  it("the expiry reminder says what the outlook says, without 'change its policy'", () => {
    const n = expiryReminderNotification(shared(), 7 * 86_400_000, NOW);

    expect(n.body).toMatch(/To change it: ask the reservation's owner account to extend it/);
    expect(n.body).not.toMatch(/change its policy/);
  });

  it("the expiry reminder of a block over its budget still says how to change it", () => {
    const n = expiryReminderNotification({ ...shared(), status: "budget-exhausted" }, 7 * 86_400_000, NOW);

    expect(n.body).toMatch(/To change it: raise the budget \(cbm update partner-shared --budget AMOUNT\)/);
  });
});
