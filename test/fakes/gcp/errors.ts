/**
 * Google API errors in the JSON shape Compute Engine answers with
 * (https://cloud.google.com/apis/design/errors#http_mapping):
 * `{ error: { code, message, errors: [{ message, domain, reason }], status, details? } }`.
 * google-gax's REST decoder (GoogleError.parseHttpError) keeps `message`, turns `status` into the
 * gRPC code (error.code) and an ErrorInfo detail into error.reason / error.domain; it drops `errors[]`.
 */

export type GoogleStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
    status: GoogleStatus;
    details?: { '@type': string; reason: string; domain: string; metadata?: Record<string, string> }[];
  };
}

/** A request the fake refuses: thrown by handlers, answered by the server. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: GoogleStatus,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly errorInfo?: { reason: string; metadata?: Record<string, string> },
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    const e: GoogleErrorBody['error'] = {
      code: this.httpStatus,
      message: this.message,
      errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
      status: this.status,
    };
    if (this.errorInfo) {
      e.details = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', domain: 'googleapis.com', ...this.errorInfo }];
    }
    return { error: e };
  }
}

export const invalid = (message: string): ApiError => new ApiError(400, 'INVALID_ARGUMENT', 'invalid', message);
export const notFound = (resource: string): ApiError => new ApiError(404, 'NOT_FOUND', 'notFound', `The resource '${resource}' was not found`);
export const alreadyExists = (resource: string): ApiError =>
  new ApiError(409, 'ALREADY_EXISTS', 'alreadyExists', `The resource '${resource}' already exists`);
export const resourceNotReady = (resource: string): ApiError =>
  new ApiError(400, 'FAILED_PRECONDITION', 'resourceNotReady', `The resource '${resource}' is not ready`);
export const conditionNotMet = (message: string): ApiError => new ApiError(412, 'FAILED_PRECONDITION', 'conditionNotMet', message);
export const unauthenticated = (): ApiError =>
  new ApiError(
    401,
    'UNAUTHENTICATED',
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  );
export const permissionDenied = (permission: string, resource: string): ApiError =>
  new ApiError(403, 'PERMISSION_DENIED', 'forbidden', `Required '${permission}' permission for '${resource}'`, 'global', {
    reason: 'IAM_PERMISSION_DENIED',
    metadata: { permission, resource },
  });
export const rateLimited = (): ApiError =>
  new ApiError(429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits', { reason: 'RATE_LIMIT_EXCEEDED' });
/** The older Compute shape of throttling: 403 whose status is PERMISSION_DENIED, told apart only by reason. */
export const userRateLimited = (): ApiError =>
  new ApiError(403, 'PERMISSION_DENIED', 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits', { reason: 'RATE_LIMIT_EXCEEDED' });
export const backendError = (httpStatus: 500 | 503): ApiError =>
  new ApiError(
    httpStatus,
    httpStatus === 500 ? 'INTERNAL' : 'UNAVAILABLE',
    'backendError',
    httpStatus === 500 ? 'Internal error. Please try again or contact Google Support.' : 'The service is currently unavailable.',
  );
