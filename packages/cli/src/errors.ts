/** Exit codes scripts can test; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The API answered with an error, or something else failed (network, AWS). */
  error: 1,
  /** Wrong flags or arguments, or a question that needs a TTY (use --yes). */
  usage: 2,
  /** The block (or the API's route) does not exist. */
  notFound: 3,
  /** Someone else changed the block, it exists already, or a purchase is in flight. */
  conflict: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line was wrong; the message says how to fix it. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the CLI explains itself (e.g. the API cannot be found); no stack trace is shown. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
    this.name = "CliError";
  }
}
