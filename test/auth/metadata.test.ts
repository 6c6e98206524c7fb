import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metadataPaths, PROTECTED_RESOURCE_WELL_KNOWN, protectedResourceMetadata, resourceOf } from '../../src/auth/metadata.ts';

test('RFC 9728 §2 + MCP basic/authorization.mdx: the document names the resource, one issuer, minimal scopes and header-only bearer use', () => {
  const document = protectedResourceMetadata({
    resource: 'https://mcp.example.com/mcp',
    issuer: 'https://dev-1.okta.com/oauth2/default',
    scopesSupported: ['incidents:read'],
    resourceName: 'Incident tracker',
  });
  assert.deepEqual(document, {
    resource: 'https://mcp.example.com/mcp',
    authorization_servers: ['https://dev-1.okta.com/oauth2/default'],
    scopes_supported: ['incidents:read'],
    bearer_methods_supported: ['header'],
    resource_name: 'Incident tracker',
    dpop_signing_alg_values_supported: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
  });
  assert.equal(
    JSON.stringify(document),
    '{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://dev-1.okta.com/oauth2/default"],"scopes_supported":["incidents:read"],"bearer_methods_supported":["header"],"resource_name":"Incident tracker","dpop_signing_alg_values_supported":["RS256","RS384","RS512","ES256","ES384","ES512"]}',
  );
});

test('RFC 9728 §2: dpop_bound_access_tokens_required appears only when DPoP is required; a verifier without DPoP advertises none', () => {
  const base = { resource: 'https://mcp.example.com/mcp', issuer: 'https://i', scopesSupported: [], resourceName: 'x' };
  const required = protectedResourceMetadata({ ...base, dpop: { algorithms: ['ES256'], required: true } });
  assert.deepEqual(required.dpop_signing_alg_values_supported, ['ES256']);
  assert.equal(required.dpop_bound_access_tokens_required, true);
  const optional = protectedResourceMetadata({ ...base, dpop: { algorithms: ['ES256'], required: false } });
  assert.equal(Object.hasOwn(optional, 'dpop_bound_access_tokens_required'), false);
  const none = protectedResourceMetadata({ ...base, dpop: null });
  assert.equal(Object.hasOwn(none, 'dpop_signing_alg_values_supported'), false);
});

test('RFC 9728 §3.1 inverted: resourceOf gives back the resource of a path-inserted metadata URL', () => {
  for (const resource of ['https://mcp.example.com/mcp', 'http://127.0.0.1:9001/mcp', 'https://example.com/a/b/mcp', 'https://example.com/']) {
    assert.equal(resourceOf(metadataPaths(resource).url), resource);
  }
  assert.throws(() => resourceOf('https://example.com/mcp'), TypeError);
});

test('RFC 9728 §2: resource_documentation is included when configured', () => {
  const document = protectedResourceMetadata({
    resource: 'https://mcp.example.com/mcp',
    issuer: 'https://dev-1.okta.com/oauth2/default',
    scopesSupported: ['incidents:read'],
    resourceName: 'Incident tracker',
    resourceDocumentation: 'https://docs.example.com/mcp',
  });
  assert.equal(document.resource_documentation, 'https://docs.example.com/mcp');
});

test('RFC 9728 §3.2: zero-valued parameters are omitted (no resource_documentation key when undefined)', () => {
  const document = protectedResourceMetadata({
    resource: 'https://mcp.example.com/mcp',
    issuer: 'https://i',
    scopesSupported: [],
    resourceName: 'x',
    resourceDocumentation: undefined,
  });
  assert.equal(Object.hasOwn(document, 'resource_documentation'), false);
});

test('RFC 9728 §3.1: the well-known suffix is inserted between host and path', () => {
  assert.deepEqual(metadataPaths('https://mcp.example.com/mcp'), {
    pathInserted: '/.well-known/oauth-protected-resource/mcp',
    root: '/.well-known/oauth-protected-resource',
    url: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
  });
});

test('MCP basic/authorization.mdx: a nested endpoint path keeps every segment (…/oauth-protected-resource/public/mcp)', () => {
  const paths = metadataPaths('https://example.com/public/mcp');
  assert.equal(paths.pathInserted, '/.well-known/oauth-protected-resource/public/mcp');
  assert.equal(paths.url, 'https://example.com/.well-known/oauth-protected-resource/public/mcp');
});

test('RFC 9728 §3.1: a port and an http loopback URL are kept in the absolute metadata URL', () => {
  assert.equal(metadataPaths('http://127.0.0.1:9001/mcp').url, 'http://127.0.0.1:9001/.well-known/oauth-protected-resource/mcp');
});

test('RFC 9728 §3.1: a resource at the host root uses the root path (the terminating "/" is removed)', () => {
  assert.deepEqual(metadataPaths('https://mcp.example.com/'), {
    pathInserted: PROTECTED_RESOURCE_WELL_KNOWN,
    root: PROTECTED_RESOURCE_WELL_KNOWN,
    url: 'https://mcp.example.com/.well-known/oauth-protected-resource',
  });
  assert.equal(metadataPaths('https://mcp.example.com').pathInserted, PROTECTED_RESOURCE_WELL_KNOWN);
});

test('RFC 9728 §1.2: a resource identifier with a query or fragment is refused as caller misuse (TypeError)', () => {
  assert.throws(() => metadataPaths('https://h/mcp?x=1'), TypeError);
  assert.throws(() => metadataPaths('https://h/mcp#f'), TypeError);
  assert.throws(() => metadataPaths('not a url'), TypeError);
});
