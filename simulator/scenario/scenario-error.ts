import { UserInputError } from '../../reference/shared/user-input-error.ts';

/** A scenario file is wrong: one line naming the file, line and field. */
export class ScenarioError extends UserInputError {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${field}: ${problem}`);
  }
}
