/**
 * One error base with a stable `code`. HTTP status and CLI exit code derive from the code, so every
 * entry point answers the same way for the same failure. Messages are written for a person and
 * never carry secrets, tokens, URLs of channels or certificate bodies.
 */
export const ERROR_CODES = {
  // configuration
  config_invalid: { status: 500, exit: 3 },
  // reading Intune (monitor failures)
  graph_permission_denied: { status: 502, exit: 3 },
  graph_auth_failed: { status: 502, exit: 3 },
  // a fleet tenant has not consented to the multi-tenant app (AADSTS700016 / 7000229 / 65001)
  graph_consent_missing: { status: 502, exit: 3 },
  graph_throttled: { status: 503, exit: 3 },
  graph_unavailable: { status: 502, exit: 3 },
  graph_malformed_response: { status: 502, exit: 3 },
  // state
  state_unreadable: { status: 500, exit: 3 },
  state_conflict: { status: 409, exit: 3 },
  state_unavailable: { status: 503, exit: 3 },
  // a fleet tenant's check kept failing and was given up (the poison queue)
  check_given_up: { status: 500, exit: 3 },
  // delivery
  delivery_failed: { status: 502, exit: 3 },
  // a receiver answered 410 Gone: that channel is off until its setting changes
  channel_gone: { status: 502, exit: 3 },
  // renewal (SPEC §5)
  invalid_request: { status: 400, exit: 1 },
  secret_not_found: { status: 404, exit: 1 },
  secret_disabled: { status: 422, exit: 1 },
  // `renew --file`: missing, not a regular file, too large, unreadable, or a PKCS#12 without its password
  certificate_file_unreadable: { status: 422, exit: 1 },
  certificate_unreadable: { status: 422, exit: 1 },
  not_an_apns_certificate: { status: 422, exit: 1 },
  certificate_expired: { status: 422, exit: 1 },
  certificate_not_yet_valid: { status: 422, exit: 1 },
  topic_mismatch: { status: 409, exit: 1 },
  apple_id_mismatch: { status: 409, exit: 1 },
  not_newer: { status: 422, exit: 1 },
  renewal_in_progress: { status: 409, exit: 1 },
  key_vault_access_denied: { status: 502, exit: 3 },
  key_vault_unavailable: { status: 502, exit: 3 },
  upload_failed: { status: 502, exit: 3 },
  verification_failed: { status: 502, exit: 3 },
  // an acknowledgement refused (SPEC §15): expired assets and monitor failures never go quiet; at most 30 days, never past the expiry
  ack_refused: { status: 422, exit: 1 },
  // renewal proposals from Key Vault events (SPEC §16): no such proposal; one that can no longer be
  // approved (refused, rejected, lapsed, superseded, already approved); its proposer approving it
  proposal_not_found: { status: 404, exit: 1 },
  proposal_closed: { status: 409, exit: 1 },
  approver_is_proposer: { status: 403, exit: 1 },
  // the status page's actions: nobody signed in, or not allowed (role, directory, another site's request)
  sign_in_required: { status: 401, exit: 3 },
  forbidden: { status: 403, exit: 3 },
  // the command line itself is wrong (unknown flag, bad --now): the check did not run
  cli_usage: { status: 400, exit: 3 },
  // anything not foreseen
  internal_error: { status: 500, exit: 3 },
} as const satisfies Record<string, { status: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * What a failure is common to, when it is not about one tenant (SPEC §15 "a shared cause is seen
 * once"): every tenant's check goes through the managed identity endpoint, Microsoft Entra's
 * sign-in, Microsoft Graph and the home credential, so when one of them cannot be reached (network,
 * DNS, a timeout) or the home credential is refused, every tenant fails the same way.
 */
export type SharedCause = 'identity_endpoint' | 'entra' | 'graph' | 'home_credential';

export interface AppErrorOptions {
  /** Worth trying again later (throttling, a receiver that is down). */
  retriable?: boolean;
  /** A hint a person can act on, e.g. the missing Graph permission. */
  hint?: string;
  cause?: unknown;
  /** How long the peer asked us to wait before another try (`Retry-After`), when it said. */
  retryAfterMs?: number;
  /** Set when the failure is not this tenant's but the path every tenant shares. */
  sharedCause?: SharedCause;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly hint: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly sharedCause: SharedCause | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.hint = options.hint;
    this.retryAfterMs = options.retryAfterMs;
    this.sharedCause = options.sharedCause;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** The message with its hint, as shown to people. */
  describe(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Normalises anything thrown into an AppError at the edge. An unknown error keeps its original as
 * `cause` (for the log) but shows a generic message, so no stack trace or internal detail reaches
 * a user.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('internal_error', 'An unexpected error occurred.', { cause: error });
}
