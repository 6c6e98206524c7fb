/**
 * A method's params schema and the TypeScript type it admits, derived from one literal: the schema
 * is written once, Ajv checks it at run time (compiled at start-up, validation.ts) and `Infer`
 * reads the same literal at compile time, so a handler receives exactly what the schema accepts
 * with no cast. `Infer` covers the JSON Schema keywords method params use here (type, properties,
 * required, additionalProperties, items, enum, const, oneOf, anyOf); anything else reads as `unknown`.
 */
import type { JsonObject } from './definitions.ts';
import { compileParser, type Parsed } from './validation.ts';

/** The type of the values `S` accepts. */
export type Infer<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly oneOf: readonly (infer A)[] }
      ? Infer<A>
      : S extends { readonly anyOf: readonly (infer A)[] }
        ? Infer<A>
        : S extends { readonly type: infer T }
          ? OfType<T, S>
          : unknown;

type OfType<T, S> = T extends readonly (infer U)[]
  ? OfType<U, S>
  : T extends 'object'
    ? ObjectOf<S>
    : T extends 'string'
      ? string
      : T extends 'integer' | 'number'
        ? number
        : T extends 'boolean'
          ? boolean
          : T extends 'null'
            ? null
            : T extends 'array'
              ? S extends { readonly items: infer I } ? Infer<I>[] : unknown[]
              : unknown;

type RequiredOf<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type Known<S> = S extends { readonly properties: infer Props }
  ? { -readonly [K in keyof Props as K extends RequiredOf<S> ? K : never]: Infer<Props[K]> } & {
      -readonly [K in keyof Props as K extends RequiredOf<S> ? never : K]?: Infer<Props[K]>;
    }
  : unknown;

/** JSON Schema 2020-12: properties not named are allowed unless `additionalProperties` says otherwise. */
type Rest<S> = S extends { readonly additionalProperties: false }
  ? unknown
  : S extends { readonly additionalProperties: infer A extends object }
    ? { [key: string]: Infer<A> }
    : { [key: string]: unknown };

type ObjectOf<S> = Flat<Known<S> & Rest<S>>;

type Flat<T> = { [K in keyof T]: T[K] };

/** A params schema (its root `"type": "object"`), compiled once, with the type it admits. */
export interface ParamsSchema<P> {
  readonly schema: JsonObject;
  /** Validates `value` (STYLE principle 7: no coercion, first error only). */
  parse(value: unknown): Parsed<P>;
}

/** The params type of a ParamsSchema. */
export type ParamsOf<S> = S extends ParamsSchema<infer P> ? P : never;

/**
 * Compiles a params schema at start-up; its type is inferred from the literal (`const S`), so the
 * literal must be written here or passed through `paramsSchema` itself, not widened by a variable.
 */
export function paramsSchema<const S extends { readonly type: 'object' }>(schema: S): ParamsSchema<Infer<S>> {
  return { schema, parse: compileParser<Infer<S>>(schema) };
}
