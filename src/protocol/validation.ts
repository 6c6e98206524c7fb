/**
 * JSON Schema validation: one Ajv instance for the whole process, every schema compiled at
 * start-up (STYLE principle 7). Dialect 2020-12, the MCP default (basic/index.mdx, SEP-1613).
 * No coercion, no defaults, no removal of properties, and the first error only (`allErrors: false`
 * bounds the work a hostile document can cause). Failures come back as one readable sentence that
 * names the field and, for enums, the allowed values, so a model can correct itself.
 */
import Ajv2020Module, { type ErrorObject as AjvError } from 'ajv/dist/2020.js';

// ajv ships CommonJS; under NodeNext its default export is the module object.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;

const ajv = new Ajv2020({
  allErrors: false,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  strict: false,
  validateFormats: false,
  // Validating each schema against the 2020-12 meta-schema compiles that meta-schema first: about a
  // fifth of start-up (issue 16). Every schema the server registers is checked against it in the
  // tests instead (test/protocol/validation.test.ts); a keyword with a malformed value still throws here.
  validateSchema: false,
});

/** A failed validation: `field` is a JSON Pointer into the value (`""` for the root). */
export interface ValidationProblem {
  field: string;
  message: string;
}

export type Validator = (value: unknown) => ValidationProblem | undefined;

/** RFC 6901 §3: `~` and `/` in a reference token are escaped, as Ajv does in `instancePath`. */
function pointerToken(name: unknown): string {
  return String(name).replaceAll('~', '~0').replaceAll('/', '~1');
}

function describe(error: AjvError): ValidationProblem {
  const params = error.params as Record<string, unknown>;
  let field = error.instancePath;
  let message: string;
  switch (error.keyword) {
    case 'required':
      field = `${field}/${pointerToken(params.missingProperty)}`;
      message = 'is required';
      break;
    case 'additionalProperties':
      field = `${field}/${pointerToken(params.additionalProperty)}`;
      message = 'is not an accepted property';
      break;
    case 'enum':
      message = `must be one of: ${(params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(params.allowedValue)}`;
      break;
    default:
      message = error.message ?? 'is invalid';
  }
  return { field, message };
}

/** Readable name of a JSON Pointer: `/severity` → `severity`, `""` → `params`. */
export function fieldName(pointer: string, root = 'value'): string {
  return pointer === '' ? root : pointer.slice(1).replaceAll('/', '.');
}

/**
 * Compiles a schema once. Throws (a start-up error, never sent to a client) when the schema
 * itself is invalid for its dialect (basic/index.mdx: schemas MUST be valid).
 */
export function compileSchema(schema: object): Validator {
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return undefined;
    const first = validate.errors?.[0];
    return first === undefined ? { field: '', message: 'is invalid' } : describe(first);
  };
}

/** The outcome of validating a value of type `T`: the value, typed, or the first problem. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: ValidationProblem };

/**
 * Compiles a schema once into a parser of `T`. The caller states `T`; params-schema.ts derives it
 * from the schema literal itself, so the two cannot disagree.
 */
export function compileParser<T>(schema: object): (value: unknown) => Parsed<T> {
  const validate = ajv.compile<T>(schema);
  return (value) => {
    if (validate(value)) return { ok: true, value };
    const first = validate.errors?.[0];
    return { ok: false, problem: first === undefined ? { field: '', message: 'is invalid' } : describe(first) };
  };
}

/** 2020-12 is the only dialect supported; `$schema` naming another one is refused at start-up. */
export const SUPPORTED_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
