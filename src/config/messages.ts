// Readable validation messages. Zod's defaults ("Invalid input") name neither what is wrong
// nor what is allowed; every message here says both, and what was found (issue: config layer).
import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

/** Longer text from the document is cut in messages: it is named, not reproduced (issue 8 finding 11). */
export const MAX_SHOWN_CHARS = 40;

export function shorten(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}...` : text;
}

/** How a value found in the document is shown in a message. */
export function describeInput(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(shorten(value));
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Message for a scalar field: "required (hint)" when missing, else "must be ALLOWED; got X". */
export function fieldError(allowed: string, hint: string): (iss: RawIssue) => string {
  return (iss) => (iss.input === undefined ? `required (${hint})` : `must be ${allowed}; got ${describeInput(iss.input)}`);
}

/**
 * Message for a mapping. Zod reports all unknown keys of one mapping as a single issue; we
 * write one line per key, in key order, and load.ts splits them so each points at its key.
 */
export function sectionError(keys: readonly string[], hint: string): (iss: RawIssue) => string {
  const allowed = keys.join(', ');
  return (iss) => {
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((key) => `unknown key ${describeInput(key)} (${didYouMean(key, keys)}allowed: ${allowed})`).join('\n');
    }
    if (iss.input === undefined) return `required (${hint})`;
    return `must be a mapping with keys ${allowed}; got ${describeInput(iss.input)}`;
  };
}

/** Message for a list: shape errors and the length rules. */
export function listError(allowed: string, hint: string): (iss: RawIssue) => string {
  return (iss) => {
    if (iss.input === undefined) return `required (${hint})`;
    if (iss.code === 'too_small') return `must be ${allowed}; got an empty list`;
    if (iss.code === 'too_big' && Array.isArray(iss.input)) return `must be ${allowed}; got a list of ${iss.input.length}`;
    return `must be ${allowed}; got ${describeInput(iss.input)}`;
  };
}

/**
 * Message for an inline secret. It never shows the value: error output lands in terminals,
 * CI logs and bug reports. Digits alone are read by YAML as a number, hence the hint to quote.
 */
export function secretError(hint: string): (iss: RawIssue) => string {
  return (iss) => {
    const input: unknown = iss.input;
    if (input === undefined) return `required (${hint})`;
    if (typeof input === 'number') return 'must be a string; got a number (YAML reads digits alone as a number: quote the secret)';
    const kind = Array.isArray(input) ? 'a list' : input === null ? 'an empty value' : typeof input === 'object' ? 'a mapping' : `a ${typeof input}`;
    return `must be a string (${hint}); got ${kind}`;
  };
}

/** Last resort for any issue a schema did not word itself; should rarely be seen. */
export function fallbackError(iss: RawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'required' : `must be ${iss.expected}; got ${describeInput(iss.input)}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describeInput(iss.input)}`;
    case 'unrecognized_keys':
      return iss.keys.map((key) => `unknown key ${JSON.stringify(key)}`).join('\n');
    default:
      return `invalid value ${describeInput(iss.input)} (${iss.code})`;
  }
}

/** Typos are the usual cause of an unknown key; name the key that was probably meant. */
function didYouMean(key: string, keys: readonly string[]): string {
  // No key is longer than this; a longer one is no typo, and the distance would cost its length.
  if (key.length > MAX_SHOWN_CHARS) return '';
  const near = keys.find((candidate) => editDistance(key.toLowerCase(), candidate) <= Math.min(2, candidate.length >> 2));
  return near === undefined ? '' : `did you mean "${near}"? `;
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
