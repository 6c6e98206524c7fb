/**
 * Multi round-trip requests (MCP 2026-07-28 basic/patterns/mrtr.mdx) for the methods whose
 * descriptor says `multiRound`: tools/call, prompts/get and resources/read, never another (M-R2).
 * A feature that needs the client's input throws InputRequired (definitions.ts); then, by era:
 *
 * - modern: the answer is an InputRequiredResult (M-R3): the requests, checked against the
 *   capabilities this request declared (M-R5: otherwise -32021), and the feature's state sealed
 *   (request-state-codec.ts) to the caller, the method and the target (M-R7, M-R8). A retry is a
 *   request like any other (M-R10): its `requestState` is opened (any failure: -32602 with a fixed
 *   message) and its `inputResponses` reach the feature, each checked against what was asked when
 *   the feature reads it (M-R9); keys it does not read are ignored.
 * - legacy: the same requests go to the client as server-to-client requests on the session's
 *   stream (FeatureContext.request), and the feature runs again with the answers and its state,
 *   kept in memory: one feature serves both eras.
 */
import type { Logger } from '../log.ts';
import type { RequestContext } from './context.ts';
import { isJsonObject, InputRequired, type InputAnswers, type InputRequest, type JsonObject, type JsonValue } from './definitions.ts';
import { ErrorCode, invalidParams, ProtocolError } from './errors.ts';
import type { RegisteredMethod } from './method.ts';
import type { RequestStateBinding, RequestStateCodec } from './request-state-codec.ts';
import { compileSchema, fieldName, type Validator } from './validation.ts';

/** Rounds a legacy request may take before the feature is deemed to loop (-32603, logged). */
export const MAX_LEGACY_ROUNDS = 8;

/** The fixed answer to a requestState that does not open (exact-shapes.md §6: no reason, no payload). */
export const INVALID_STATE_MESSAGE = 'Invalid or expired requestState';

/** The client capability each input request needs (basic/lifecycle.mdx "Operation"; mrtr.mdx #6). */
export const CAPABILITY_OF: Readonly<Record<InputRequest['method'], string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

// schema.ts ElicitResult, CreateMessageResult, ListRootsResult: what each method's answer must be.
const ANSWER_SCHEMAS: Readonly<Record<InputRequest['method'], object>> = {
  'elicitation/create': { type: 'object', required: ['action'], properties: { action: { enum: ['accept', 'decline', 'cancel'] }, content: { type: 'object' } } },
  'sampling/createMessage': {
    type: 'object',
    required: ['role', 'content', 'model'],
    properties: { role: { enum: ['user', 'assistant'] }, content: { type: ['object', 'array'] }, model: { type: 'string' } },
  },
  'roots/list': {
    type: 'object',
    required: ['roots'],
    properties: { roots: { type: 'array', items: { type: 'object', required: ['uri'], properties: { uri: { type: 'string' }, name: { type: 'string' } } } } },
  },
};
const answerValidators = new Map<InputRequest['method'], Validator>();
/** Validators of requested elicitation schemas, compiled once per schema object. */
const contentValidators = new WeakMap<object, Validator>();

function answerValidator(method: InputRequest['method']): Validator {
  let validate = answerValidators.get(method);
  if (validate === undefined) answerValidators.set(method, (validate = compileSchema(ANSWER_SCHEMAS[method])));
  return validate;
}

function contentValidator(schema: object): Validator {
  let validate = contentValidators.get(schema);
  if (validate === undefined) contentValidators.set(schema, (validate = compileSchema(schema)));
  return validate;
}

/** Why `value` is not an answer to `request`, or undefined when it is. */
function answerProblem(value: unknown, request: InputRequest): string | undefined {
  const problem = answerValidator(request.method)(value);
  if (problem !== undefined) return `${fieldName(problem.field, 'as a whole')} ${problem.message}`;
  const schema = request.params.requestedSchema;
  const content = (value as JsonObject).content;
  // client/elicitation.mdx: accepted content matches the requested schema.
  if (request.method === 'elicitation/create' && (value as JsonObject).action === 'accept' && isJsonObject(schema)) {
    const broken = contentValidator(schema)(content ?? {});
    if (broken !== undefined) return `breaks the requested schema: content${broken.field === '' ? '' : ` ${fieldName(broken.field)}`} ${broken.message}`;
  }
  return undefined;
}

function answersOf(responses: JsonObject | undefined, state: JsonValue | undefined): InputAnswers {
  return {
    state,
    answer(key, request) {
      if (responses === undefined || !Object.hasOwn(responses, key)) return undefined;
      const value = responses[key];
      const problem = answerProblem(value, request);
      // mrtr.mdx "Error Handling": an answer that is not what was asked is a protocol error.
      if (problem !== undefined) throw invalidParams(`The answer to input request ${JSON.stringify(key.slice(0, 64))} ${problem}`, { field: '/inputResponses' });
      return value as JsonObject;
    },
  };
}

/** The capabilities `requests` need that `declared` lacks, as a ClientCapabilities object; undefined: none. */
export function missingCapabilities(requests: readonly InputRequest[], declared: JsonObject): JsonObject | undefined {
  const missing: JsonObject = {};
  for (const { method, params } of requests) {
    const name = CAPABILITY_OF[method];
    const given = declared[name];
    if (!isJsonObject(given)) missing[name] = {};
    else if (method === 'elicitation/create') {
      // client/elicitation.mdx "Capabilities": `elicitation: {}` is form only; url mode must be declared.
      const mode = params.mode === 'url' ? 'url' : 'form';
      const formOnly = Object.keys(given).length === 0;
      if (!(mode === 'form' && formOnly) && !isJsonObject(given[mode])) missing[name] = { [mode]: {} };
    }
  }
  return Object.keys(missing).length === 0 ? undefined : missing;
}

/** The retry fields of a modern request (schema.ts InputResponseRequestParams), checked for shape. */
function retryFields(params: JsonObject): { responses: JsonObject | undefined; token: string | undefined } {
  const { inputResponses: responses, requestState: token } = params;
  // M-R9: inputResponses is an InputResponses, an object of answers (each an object).
  if (responses !== undefined && !(isJsonObject(responses) && Object.values(responses).every(isJsonObject))) {
    throw invalidParams('inputResponses must be an object mapping input request keys to their answers', { field: '/inputResponses' });
  }
  if (token !== undefined && typeof token !== 'string') throw invalidParams('requestState must be a string', { field: '/requestState' });
  return { responses, token };
}

/**
 * What a state is bound to (M-R8): the caller, the method, and the target with its arguments as
 * sent (the retry repeats the original params, M-R10).
 */
function bindingOf(descriptor: RegisteredMethod, params: JsonObject, context: RequestContext): RequestStateBinding {
  const named = descriptor.namedBy === undefined ? null : params[descriptor.namedBy];
  let target: string;
  try {
    target = JSON.stringify([named, params.arguments ?? null]);
  } catch {
    // Nesting JSON.parse accepted but the stack cannot walk again.
    throw invalidParams('The arguments are nested too deeply', { field: '/arguments' });
  }
  return { principal: JSON.stringify([context.principal.subject, context.principal.clientId ?? null]), method: descriptor.method, target };
}

type Run = (context: RequestContext) => Promise<JsonObject> | JsonObject;

/** The requests asked for; a TypeError (a feature's bug) when there is nothing to ask nor keep. */
function requestsOf(asked: InputRequired): Array<[string, InputRequest]> {
  const requests = Object.entries(asked.requests);
  // mrtr.mdx "Server Requirements" #5: at least one of inputRequests and requestState.
  if (requests.length === 0 && asked.state === undefined) throw new TypeError('InputRequired with neither requests nor state');
  return requests;
}

export class InputRounds {
  constructor(
    private readonly codec: RequestStateCodec,
    private readonly logger: Logger,
  ) {}

  /** Runs one request of a multi-round method, in its era's way. */
  serve(descriptor: RegisteredMethod, params: JsonObject, context: RequestContext, run: Run, correlationId: string): Promise<JsonObject> {
    return context.state.era === 'modern' ? this.modern(descriptor, params, context, run, correlationId) : this.legacy(context, run);
  }

  private async modern(descriptor: RegisteredMethod, params: JsonObject, context: RequestContext, run: Run, correlationId: string): Promise<JsonObject> {
    const { responses, token } = retryFields(params);
    let state: JsonValue | undefined;
    if (token !== undefined) {
      const opened = this.codec.open(token, bindingOf(descriptor, params, context));
      if (!opened.ok) {
        // M-R7: reject it; the reason goes to the log only.
        this.logger.info('requestState refused', { correlationId, rpcMethod: descriptor.method, reason: opened.refusal });
        throw invalidParams(INVALID_STATE_MESSAGE);
      }
      state = opened.state;
    }
    try {
      return await run({ ...context, input: answersOf(responses, state) });
    } catch (error) {
      if (!(error instanceof InputRequired)) throw error;
      return this.inputRequiredResult(error, descriptor, params, context);
    }
  }

  private inputRequiredResult(asked: InputRequired, descriptor: RegisteredMethod, params: JsonObject, context: RequestContext): JsonObject {
    const requests = requestsOf(asked);
    const missing = missingCapabilities(requests.map(([, request]) => request), context.clientCapabilities);
    // M-R5, M-V7: never ask what the client cannot answer; the work cannot go on without it.
    if (missing !== undefined) throw new ProtocolError(ErrorCode.MissingRequiredClientCapability, 'Missing required client capability', { requiredCapabilities: missing });
    const result: JsonObject = { resultType: 'input_required' };
    if (requests.length > 0) result.inputRequests = Object.fromEntries(requests.map(([key, { method, params: p }]) => [key, { method, params: p }]));
    if (asked.state !== undefined) result.requestState = this.codec.seal({ ...bindingOf(descriptor, params, context), state: asked.state });
    return result;
  }

  private async legacy(context: RequestContext, run: Run): Promise<JsonObject> {
    let input = answersOf(undefined, undefined);
    for (let round = 1; ; round++) {
      try {
        return await run({ ...context, input });
      } catch (error) {
        if (!(error instanceof InputRequired)) throw error;
        if (round === MAX_LEGACY_ROUNDS) throw new Error(`still asking for input after ${MAX_LEGACY_ROUNDS} rounds`);
        // The 2025 way to ask: server-to-client requests related to this one (basic/lifecycle.mdx).
        const answers = await Promise.all(requestsOf(error).map(async ([key, { method, params }]) => [key, await context.request(method, params)] as const));
        input = answersOf(Object.fromEntries(answers), error.state);
      }
    }
  }
}
