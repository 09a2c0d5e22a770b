import type { ParseArgsConfig } from "node:util";
import type { CbmClient } from "./client";
import type { Io } from "./io";

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  io: Io;
  values: Values;
  positionals: string[];
  json: boolean;
  /** Built lazily: `import --dry-run` and usage errors need no API. */
  client(): Promise<CbmClient>;
  /** The API's clock when it tells us (local mode with a fast clock), else this machine's. */
  now(): Date;
  out(s?: string): void;
  /** Human output that must never pollute --json stdout. */
  info(s?: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Extra help text after the usage line. */
  help?: string;
  options: Options;
  /** Exact names of positional arguments, e.g. ["PK"]. */
  args: string[];
  run(ctx: CommandContext): Promise<number>;
}
