/**
 * The runs of the model that must pass, with their bounds. `minStates` is a floor far below what each run reaches:
 * a model edit that makes a run trivial (an actor that can no longer move) fails the test instead of passing vacuously.
 */
export interface ModelRun {
  name: string;
  file: string;
  defines: string[];
  minStates: number;
}

export const MODELS: readonly ModelRun[] = [
  {
    name: "extensions: 2 ticks, 2 API actions, 2 faults, 1 price change, 2 windows, 2 registrations",
    file: "protocol.pml",
    defines: [],
    minStates: 1_000_000,
  },
];
