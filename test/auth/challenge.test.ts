import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  insufficientScopeChallenge,
  invalidProofChallenge,
  invalidTokenChallenge,
  malformedRequestChallenge,
  missingTokenChallenge,
} from '../../src/auth/challenge.ts';
import type { ChallengeInfo } from '../../src/auth/principal.ts';

const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const info: ChallengeInfo = { resourceMetadataUrl: PRM, defaultScopes: ['incidents:read'] };

test('RFC 6750 §3.1 + MCP basic/authorization.mdx: no token → resource_metadata and scope, no error attribute', () => {
  assert.equal(
    missingTokenChallenge(info),
    `Bearer resource_metadata="${PRM}", scope="incidents:read"`,
  );
});

test('RFC 6750 §3: the scope attribute is left out when there are no default scopes', () => {
  assert.equal(missingTokenChallenge({ resourceMetadataUrl: PRM, defaultScopes: [] }), `Bearer resource_metadata="${PRM}"`);
});

test('RFC 6750 §3.1: an invalid token → error="invalid_token" with description, resource_metadata and scope', () => {
  assert.equal(
    invalidTokenChallenge(info, 'The access token expired'),
    `Bearer error="invalid_token", error_description="The access token expired", resource_metadata="${PRM}", scope="incidents:read"`,
  );
});

test('RFC 6750 §3.1: a malformed request → error="invalid_request" without scope', () => {
  assert.equal(
    malformedRequestChallenge(info, 'Malformed Authorization header'),
    `Bearer error="invalid_request", error_description="Malformed Authorization header", resource_metadata="${PRM}"`,
  );
});

test('MCP basic/authorization.mdx "Runtime Insufficient Scope Errors": error, scope, resource_metadata, error_description in that order', () => {
  assert.equal(
    insufficientScopeChallenge(info, ['incidents:read', 'incidents:write'], 'Additional permission required'),
    `Bearer error="insufficient_scope", scope="incidents:read incidents:write", resource_metadata="${PRM}", error_description="Additional permission required"`,
  );
});

test('RFC 9112 §5.2: every challenge is one line, even when the description carries CR, LF or controls', () => {
  const value = invalidTokenChallenge(info, 'bad\r\nSet-Cookie: x=1\u0000\u007f');
  assert.equal(
    value,
    `Bearer error="invalid_token", error_description="badSet-Cookie: x=1", resource_metadata="${PRM}", scope="incidents:read"`,
  );
  assert.doesNotMatch(value, /[\r\n\x00-\x1f\x7f]/);
});

test('RFC 6750 §3: error_description excludes `"` and `\\` (a quote becomes an apostrophe) and non-ASCII', () => {
  assert.equal(
    malformedRequestChallenge(info, 'say "hi" \\ café'),
    `Bearer error="invalid_request", error_description="say 'hi'  caf", resource_metadata="${PRM}"`,
  );
});

test('RFC 9110 §5.6.4: `"` and `\\` in other values travel as quoted-pairs', () => {
  const odd: ChallengeInfo = { resourceMetadataUrl: 'https://h/a"b\\c', defaultScopes: [] };
  assert.equal(missingTokenChallenge(odd), 'Bearer resource_metadata="https://h/a\\"b\\\\c"');
});

test('RFC 6750 §3: scope values that are not scope-tokens are dropped from the scope attribute', () => {
  assert.equal(
    insufficientScopeChallenge(info, ['incidents:write', 'bad"scope', 'two words', ''], 'x'),
    `Bearer error="insufficient_scope", scope="incidents:write", resource_metadata="${PRM}", error_description="x"`,
  );
});

const DPOP = { algorithms: ['ES256', 'RS256'], required: false };
const INFO = { resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp', defaultScopes: ['incidents:read'] };

test('RFC 9449 §7.1: without a token, a DPoP-capable server challenges in both schemes, Bearer first; only DPoP when required', () => {
  const params = 'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="incidents:read"';
  assert.equal(missingTokenChallenge(INFO, DPOP), `Bearer ${params}, DPoP algs="ES256 RS256", ${params}`);
  assert.equal(missingTokenChallenge(INFO, { ...DPOP, required: true }), `DPoP algs="ES256 RS256", ${params}`);
  assert.equal(missingTokenChallenge(INFO), `Bearer ${params}`);
});

test('RFC 9449 §7.1: errors in the DPoP scheme put error and description first, then algs, then the MCP attributes', () => {
  const rest = 'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"';
  assert.equal(invalidProofChallenge(INFO, 'The DPoP proof was already used', DPOP), `DPoP error="invalid_dpop_proof", error_description="The DPoP proof was already used", algs="ES256 RS256", ${rest}, scope="incidents:read"`);
  assert.equal(invalidTokenChallenge(INFO, 'expired', DPOP), `DPoP error="invalid_token", error_description="expired", algs="ES256 RS256", ${rest}, scope="incidents:read"`);
  assert.equal(malformedRequestChallenge(INFO, 'bad "header"', DPOP), `DPoP error="invalid_request", error_description="bad 'header'", algs="ES256 RS256", ${rest}`);
  assert.equal(insufficientScopeChallenge(INFO, ['incidents:write'], 'needs write', DPOP), `DPoP error="insufficient_scope", scope="incidents:write", algs="ES256 RS256", ${rest}, error_description="needs write"`);
});
