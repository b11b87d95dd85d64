import { UserInputError } from '../../shared/user-input-error.ts';

/**
 * The operator's relay configuration cannot be used as given: a flag value
 * or the files in the data dir. A UserInputError, so `relaylab relay` prints
 * one line and exits 2; `code` is stable for callers and tests.
 */
export class RelaySetupError extends UserInputError {
  constructor(
    readonly code: 'invalid_trusted_proxy' | 'tls_pair_incomplete' | 'tls_pair_locked' | 'tls_file_unusable',
    message: string,
  ) {
    super(message);
  }
}
