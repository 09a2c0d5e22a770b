import { describe, expect, it } from "vitest";
import { expiryReminderNotification } from "../src/notices/expiry-reminders";
import { stopNotification } from "../src/tick/notifications";
import { makeBlock } from "./support/blocks";

/*
 * Issue 22, finding 4: right after a capacity request bought a block that starts in 4 h and ends in 28 h, CBM sent
 * "not extended: no-offering" and "ends in 28 h" as if it were about to end. Such notices now say first, in the
 * subject, that the block has not started.
 */

const NOW = new Date("2031-05-10T07:30:00.000Z");
const bought = () =>
  makeBlock({ PK: "demo-bought", startDate: "2031-05-10T11:30:00.000Z", endDate: "2031-05-11T11:30:00.000Z", status: "no-offering" });

describe("notices about a block that has not started", () => {
  it("says in the no-offering notice's subject and first line that the block has not started", () => {
    const n = stopNotification(bought(), "no-offering", "EC2 offers no extension now.", "2031-05-11T11:30:00.000Z", NOW, {});

    expect(n.subject).toBe(
      "CBM: demo-bought has not started yet (it starts at 2031-05-10T11:30:00.000Z, in 4 h 0 min); no extension yet for its end (no-offering)",
    );
    expect(n.body.split("\n")[0]).toMatch(/has not started yet .* Nothing ends soon/);
  });

  it("says in the expiry reminder's subject that the block has not started", () => {
    const n = expiryReminderNotification(bought(), 7 * 86_400_000, NOW);

    expect(n.subject).toMatch(
      /^CBM: demo-bought has not started yet \(it starts at 2031-05-10T11:30:00.000Z, in 4 h 0 min\); ends in 28 h 0 min/,
    );
  });

  it("keeps the plain subject for a block that is running", () => {
    const running = { ...bought(), startDate: "2031-05-01T11:30:00.000Z" };

    expect(stopNotification(running, "no-offering", "", undefined, NOW, {}).subject).toBe("CBM: demo-bought not extended: no-offering");
  });
});
