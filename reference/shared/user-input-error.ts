/**
 * Something a user typed or pointed us at is wrong: a flag, a file, an
 * identity folder. Every such error derives from this class, so the CLI
 * recognises them in one place and prints one line with exit code 2,
 * never a stack trace.
 */
export class UserInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
