/** Writes model/generated/tables.pml from core's transitions (run after changing them; the model test checks it). */
import { writeFileSync } from "node:fs";
import { realCore } from "./fixtures";
import { generateTables } from "./tables";

writeFileSync(new URL("./generated/tables.pml", import.meta.url), generateTables(realCore));
