/**
 * JSON Schemas (2020-12, the MCP default dialect) for the incident tools' inputs and outputs.
 * Inputs are closed (`additionalProperties: false`) so a misspelt argument is reported, not
 * ignored; defaults are documented with `default` but applied by tools.ts, since the protocol
 * core validates without applying them. No `format` keywords: the core's Ajv has no formats.
 */
import type { JsonObject } from '../protocol/definitions.ts';
import { SEVERITIES, STATUSES } from './model.ts';
import { ONE_LINE_PATTERN } from './one-line.ts';

/** Ids are positive integers written as strings, e.g. "12". */
const ID_PATTERN = '^[1-9][0-9]*$';

const title = (description: string): JsonObject => ({
  type: 'string', minLength: 1, maxLength: 200, pattern: ONE_LINE_PATTERN, description,
});
const severity = (description: string): JsonObject => ({ type: 'string', enum: [...SEVERITIES], description });
const status = (description: string): JsonObject => ({ type: 'string', enum: [...STATUSES], description });
const description = (text: string): JsonObject => ({ type: 'string', maxLength: 5000, description: text });

// MCP 2025-11-25 schema.ts Tool.inputSchema: root "type": "object".
export const CREATE_INPUT: JsonObject = {
  type: 'object',
  properties: {
    title: title('Short summary of the problem, e.g. "Checkout API returns 502". 1 to 200 characters, one line.'),
    severity: { ...severity('How bad it is: low, medium, high or critical. Defaults to medium.'), default: 'medium' },
    status: { ...status('Where it stands: open, investigating or resolved. Defaults to open.'), default: 'open' },
    description: description('Optional details: symptoms, impact, when it started. At most 5000 characters.'),
  },
  required: ['title'],
  additionalProperties: false,
};

export const LIST_INPUT: JsonObject = {
  type: 'object',
  properties: {
    severity: severity('Only incidents with this severity.'),
    status: status('Only incidents with this status.'),
    query: {
      type: 'string', minLength: 1, maxLength: 200,
      description: 'Only incidents whose title or description contains this text (case-insensitive).',
    },
    limit: {
      type: 'integer', minimum: 1, maximum: 200, default: 50,
      description: 'Most incidents to return in this page, 1 to 200. Defaults to 50.',
    },
    cursor: { type: 'string', description: 'The nextCursor of a previous call, to get the following page.' },
  },
  additionalProperties: false,
};

export const UPDATE_INPUT: JsonObject = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: ID_PATTERN, description: 'Id of the incident to change, e.g. "5".' },
    status: status('New status: open, investigating or resolved.'),
    severity: severity('New severity: low, medium, high or critical.'),
    title: title('New title, 1 to 200 characters, one line.'),
    description: description('New description, at most 5000 characters; an empty string removes it.'),
  },
  required: ['id'],
  additionalProperties: false,
};

const INCIDENT: JsonObject = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: ID_PATTERN, description: 'Incident id.' },
    title: { type: 'string' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    status: { type: 'string', enum: [...STATUSES] },
    description: { type: 'string' },
    createdAt: { type: 'string', description: 'ISO 8601 date-time; absent on incidents recorded before it was kept.' },
    updatedAt: { type: 'string', description: 'ISO 8601 date-time of the last change.' },
    createdBy: { type: 'string', description: 'OAuth client (or user) that created it.' },
  },
  required: ['id', 'title', 'severity', 'status'],
  additionalProperties: false,
};

// MCP 2025-11-25 schema.ts Tool.outputSchema: root "type": "object" as well.
export const INCIDENT_OUTPUT: JsonObject = {
  type: 'object',
  properties: { incident: INCIDENT },
  required: ['incident'],
  additionalProperties: false,
};

// Fields a caller without incidents:read sent, echoed back as stored (title trimmed; "" description removed it).
const UPDATE_ECHO: JsonObject = {
  type: 'object',
  description: 'For callers without incidents:read: the id, the fields this call gave, and updatedAt when it changed something.',
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    title: { type: 'string' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    status: { type: 'string', enum: [...STATUSES] },
    description: { type: 'string' },
    updatedAt: { type: 'string', description: 'ISO 8601 date-time of this change.' },
  },
  required: ['id'],
  additionalProperties: false,
};

export const UPDATE_OUTPUT: JsonObject = {
  type: 'object',
  properties: {
    changed: { type: 'boolean', description: 'False when the incident already had every value given: nothing was saved.' },
    incident: { ...INCIDENT, description: 'The incident after the call, for callers with incidents:read.' },
    update: UPDATE_ECHO,
  },
  required: ['changed'],
  // Exactly one view: the whole incident for readers, the echo for write-only callers.
  oneOf: [{ required: ['incident'] }, { required: ['update'] }],
  additionalProperties: false,
};

export const LIST_OUTPUT: JsonObject = {
  type: 'object',
  properties: {
    incidents: { type: 'array', items: INCIDENT, description: 'Matching incidents, newest first.' },
    nextCursor: { type: 'string', description: 'Present when more incidents match; pass it as cursor.' },
  },
  required: ['incidents'],
  additionalProperties: false,
};
