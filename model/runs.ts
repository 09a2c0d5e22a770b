/**
 * The runs of the model that must pass, with their bounds. `minStates` is a floor far below what each run reaches:
 * a model edit that makes a run trivial (an actor that can no longer move) fails the test instead of passing vacuously.
 */
export interface ModelRun {
  name: string;
  file: string;
  defines: string[];
  minStates: number;
  /**
   * A defect core still has, which this run finds: the test expects the rejection, and fails (asking for this field to
   * go) once core is fixed and the tables are regenerated.
   */
  knownDefect?: string;
}

export const MODELS: readonly ModelRun[] = [
  {
    name: "extensions: 2 ticks, 2 API actions, 2 faults, 1 price change, 2 windows, 2 registrations",
    file: "protocol.pml",
    defines: [],
    minStates: 1_000_000,
  },
  {
    name: "capacity requests: 2 worker runs, approve and cancel, 3 faults, 1 price change",
    file: "requests.pml",
    defines: [],
    minStates: 10_000,
  },
  {
    name: "successor requests: 2 runs, delete and re-register",
    file: "successor.pml",
    defines: [],
    minStates: 5,
  },
];
