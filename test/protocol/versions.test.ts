/**
 * Tests for src/protocol/versions.ts: the supported versions, negotiation as basic/lifecycle.mdx
 * "Version Negotiation" states it, and the per-version behaviour switches.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowsServerDisconnect, isSupportedVersion, LATEST_VERSION, negotiateVersion, sendsPrimingEvents, SUPPORTED_VERSIONS } from '../../src/protocol/versions.ts';

describe('versions (basic/lifecycle.mdx "Version Negotiation")', () => {
  test('2025-11-25 is the latest, followed by 2025-06-18 and 2025-03-26', () => {
    assert.deepEqual(SUPPORTED_VERSIONS, ['2025-11-25', '2025-06-18', '2025-03-26']);
    assert.equal(LATEST_VERSION, '2025-11-25');
  });

  test('a supported version is answered with the same version (MUST)', () => {
    for (const version of SUPPORTED_VERSIONS) assert.equal(negotiateVersion(version), version);
  });

  test('anything else is answered with the latest (SHOULD), including dates that sort between supported ones', () => {
    for (const version of ['1999-01-01', '2024-11-05', '2025-07-01', '2026-01-01', '', '2025-11-25 ', 'latest', '2025-11-25\u0000']) {
      assert.equal(negotiateVersion(version), '2025-11-25', JSON.stringify(version));
    }
  });

  test('isSupportedVersion matches exact strings only', () => {
    assert.equal(isSupportedVersion('2025-06-18'), true);
    assert.equal(isSupportedVersion('2025-6-18'), false);
    assert.equal(isSupportedVersion('2024-11-05'), false);
  });

  test('priming events go only to sessions on 2025-11-25 (basic/transports.mdx, SEP-1699)', () => {
    assert.deepEqual(SUPPORTED_VERSIONS.filter(sendsPrimingEvents), ['2025-11-25']);
  });

  test('a server-initiated disconnect before the response is allowed only on 2025-11-25 (basic/transports.mdx, SEP-1699)', () => {
    assert.deepEqual(SUPPORTED_VERSIONS.filter(allowsServerDisconnect), ['2025-11-25']);
  });
});
