import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metadataPaths, PROTECTED_RESOURCE_WELL_KNOWN, protectedResourceMetadata } from '../../src/auth/metadata.ts';

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
  });
  assert.equal(
    JSON.stringify(document),
    '{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://dev-1.okta.com/oauth2/default"],"scopes_supported":["incidents:read"],"bearer_methods_supported":["header"],"resource_name":"Incident tracker"}',
  );
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
