/**
 * The error hierarchy. Every error carries a stable `code` (what scripts and the UI switch on) and,
 * where it wraps another failure, the original as `cause`. Messages say where the problem is and how
 * to fix it; they are shown to operators as they are.
 */
export class SignalDeskError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export interface ConfigIssue {
  file: string;
  line?: number;
  sourceId?: string;
  /** The rule of config/rules.yaml the problem is in. */
  rule?: string;
  field?: string;
  message: string;
}

/** A configuration file or environment variable is invalid. Holds every problem found, not just the first. */
export class ConfigError extends SignalDeskError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], options?: { cause?: unknown }) {
    super('invalid_config', issues.map(formatConfigIssue).join('\n'), options);
    this.issues = issues;
  }
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  const subject = [issue.sourceId && `source "${issue.sourceId}"`, issue.rule && `rule "${issue.rule}"`, issue.field && `field "${issue.field}"`].filter(Boolean).join(' ');
  return subject ? `${where}: ${subject}: ${issue.message}` : `${where}: ${issue.message}`;
}

export type FetchErrorCode =
  | 'timeout'
  | 'network'
  | 'dns'
  | 'blocked_address'
  | 'bad_url'
  | 'too_large'
  | 'too_many_redirects'
  | 'bad_redirect'
  | 'decode_error'
  | 'robots_disallowed'
  /** A redirect leads to a host whose politeness turn is not free now (the job waits, no attempt spent). */
  | 'host_busy'
  | 'shutdown';

/** The request could not complete (no HTTP status to classify) or broke one of our limits. */
export class FetchError extends SignalDeskError {
  declare readonly code: FetchErrorCode;
  constructor(code: FetchErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export type ParseErrorCode = 'empty_body' | 'not_a_feed' | 'malformed_xml' | 'malformed_json' | 'too_deep' | 'selectors_broken';

/** The body is not a feed we can read. Never thrown for one bad item: items are coerced field by field. */
export class ParseError extends SignalDeskError {
  declare readonly code: ParseErrorCode;
  constructor(code: ParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Job data that does not match its schema: a bug or a version skew between producer and worker. */
export class JobDataError extends SignalDeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_job_data', message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type DeskErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'stale_version'
  | 'locked'
  | 'invalid_state'
  | 'invalid_fields'
  | 'copied_text'
  | 'csrf';

const DESK_STATUS: Record<DeskErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  not_found: 404,
  stale_version: 409,
  locked: 409,
  invalid_state: 409,
  invalid_fields: 422,
  copied_text: 422,
};

/**
 * A desk request that cannot be done as asked. Carries the HTTP status the API answers with and, for
 * 422s, one message per field; `details` holds what a client needs to recover (current version, lock holder).
 */
export class DeskError extends SignalDeskError {
  declare readonly code: DeskErrorCode;
  readonly status: number;
  readonly fields: Record<string, string> | undefined;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: DeskErrorCode, message: string, extra: { fields?: Record<string, string>; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { cause: extra.cause });
    this.status = DESK_STATUS[code];
    this.fields = extra.fields;
    this.details = extra.details;
  }
}
