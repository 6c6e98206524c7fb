/**
 * Incident files for the benchmark's stores: `n` valid incidents in the server's own file format
 * (an object keyed by id, pretty-printed, newline at the end), varied enough that filters and
 * titles are not all alike. Both the server under test and the SDK reference load these files.
 */
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const STATUSES = ['open', 'investigating', 'resolved'] as const;
const SUBJECTS = ['Checkout API', 'Login page', 'Payment webhook', 'Search index', 'Billing export', 'Mobile push'];
const SYMPTOMS = ['returns 502 under load', 'slow to respond', 'retries failing', 'out of date', 'times out', 'drops messages'];

/** The text of an incidents file holding ids 1..n. */
export function incidentsFile(n: number): string {
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  const document: Record<string, object> = {};
  for (let i = 1; i <= n; i++) {
    const at = new Date(base + i * 60_000).toISOString();
    document[String(i)] = {
      id: String(i),
      title: `${SUBJECTS[i % SUBJECTS.length]} ${SYMPTOMS[(i >> 2) % SYMPTOMS.length]}`,
      severity: SEVERITIES[i % SEVERITIES.length],
      status: STATUSES[i % STATUSES.length],
      description: `Seeded incident ${i}: reported by monitoring; see the runbook for the affected service.`,
      createdAt: at,
      updatedAt: at,
      createdBy: 'bench-seed',
    };
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}
