// The building blocks of the schema, shared by src/config/schema.ts and by every provider's
// section (providers/*/schema.ts): each gives a field its JSON Schema description and a message
// that says what is allowed and what was found (messages.ts), so a provider's field reads like
// every other field of the file.
import { z } from 'zod';
import { DURATION_PATTERN, formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';
import { fieldError, sectionError } from './messages.js';

/** A strict mapping: an unknown key is an error naming the allowed ones (a typo is never ignored). */
export function section<S extends z.ZodRawShape>(shape: S, hint: string) {
  return z.strictObject(shape, { error: sectionError(Object.keys(shape), hint) }).describe(hint);
}

const NAME = /^[a-z0-9-]{1,63}$/;
export const NAME_RULE = '1-63 characters of a-z, 0-9 and "-"';
export function name(hint: string) {
  return z.string({ error: fieldError(NAME_RULE, hint) }).regex(NAME).describe(`${hint}; ${NAME_RULE}`);
}

export function integer(min: number, max: number, hint: string, note = '') {
  return z.int({ error: fieldError(`an integer ${min}-${max}${note}`, hint) }).min(min).max(max).describe(hint);
}

/**
 * Length caps, checked before any parsing, so a long value costs nothing and is never echoed
 * whole into a message (issue 8 finding 11). Limits in bytes are the kernel's and the wire's.
 */
export function lengthIssue(text: string, max: number, unit: 'characters' | 'bytes', why: string): string | undefined {
  const length = unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
  return length > max ? `must be at most ${max} ${unit} (${why}); got ${length}` : undefined;
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, hint: string) {
  return z.enum(values, { error: fieldError(`one of ${values.join(', ')}`, hint) }).describe(hint);
}

/** A duration string or a number of seconds; ranges that depend on other fields are in group.ts. */
export function duration(hint: string, range?: { minMs: number; maxMs: number }) {
  const forms = 'a duration such as "100ms", "1.5s", "2m", or a number of seconds';
  return z
    .union([z.string().meta({ pattern: DURATION_PATTERN }), z.number().meta({ minimum: 0, maximum: MAX_DURATION_MS / 1000 })], {
      error: fieldError(forms, hint),
    })
    .superRefine((value, ctx) => {
      const parsed = parseDuration(value);
      if (!parsed.ok) return ctx.addIssue({ code: 'custom', message: parsed.reason, input: value });
      if (range && (parsed.ms < range.minMs || parsed.ms > range.maxMs)) {
        const allowed = `${formatDuration(range.minMs)}-${formatDuration(range.maxMs)}`;
        ctx.addIssue({ code: 'custom', message: `must be ${allowed}; got ${formatDuration(parsed.ms)}`, input: value });
      }
    })
    .describe(hint);
}

/** duration(), parsed: the output is whole milliseconds (for a provider schema's options). */
export function durationMs(hint: string, range?: { minMs: number; maxMs: number }) {
  return duration(hint, range).transform((value) => {
    const parsed = parseDuration(value);
    // The refinement above already rejected anything that does not parse.
    return parsed.ok ? parsed.ms : 0;
  });
}

/**
 * Defaults the JSON Schema shows for fields whose parse transforms (a provider's options):
 * zod leaves `default` out of an input schema for those (its default is an output value), but
 * what a user may leave out is exactly what an editor should show. emit-schema.ts puts them back.
 */
export const DOCUMENTED_DEFAULTS = new WeakMap<object, unknown>();

/** `schema`, with `value` as its default in docs/vipd.schema.json; the last call on a field (a later .describe() would be a new schema). */
export function documentDefault<T extends z.ZodType>(schema: T, value: unknown): T {
  DOCUMENTED_DEFAULTS.set(schema, value);
  return schema;
}

/** IFNAMSIZ (include/uapi/linux/if.h) counts the terminating NUL. */
export const IFNAMSIZ = 16;

/** PATH_MAX (include/uapi/linux/limits.h) counts the terminating NUL. */
const PATH_MAX = 4096;
/** Relative paths are resolved against the directory of the configuration file (load.ts). */
export function filePath(hint: string) {
  return z
    .string({ error: fieldError('a file path', hint) })
    .min(1)
    .superRefine((text, ctx) => {
      const long = lengthIssue(text, PATH_MAX - 1, 'bytes', 'PATH_MAX');
      if (long !== undefined) ctx.addIssue({ code: 'custom', message: long, input: text });
    })
    .describe(`${hint}; a relative path is resolved against the directory of this file`);
}
