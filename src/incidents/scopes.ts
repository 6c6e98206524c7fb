/**
 * The OAuth scopes the incident features require. Defined apart from index.ts so that the
 * feature files can use them without importing the module's entry point. The transport checks
 * them; this module only declares which definition needs which.
 */

/** Reading incidents: list_incidents, the incidents:// resources, the triage prompt. */
export const READ_SCOPE = 'incidents:read';

/** Creating and changing incidents: create_incident, update_incident. */
export const WRITE_SCOPE = 'incidents:write';
