/**
 * The incident store of the two SDK reference servers, written as such code usually is: every
 * incident in a Map, the whole file rewritten durably (temp file, fsync, rename, fsync of the
 * directory) for every create, one create at a time, in our file format (an object keyed by id,
 * pretty-printed). Listing walks the records newest first. Also the incident schema and the
 * one-line description both servers answer with.
 */
import { readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['open', 'investigating', 'resolved'] as const;

export const incidentShape = z.object({
  id: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  description: z.string().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  createdBy: z.string().optional(),
});
export type Incident = z.infer<typeof incidentShape>;

/** Incidents in memory, the whole file rewritten durably for every change, one at a time. */
export class FileStore {
  readonly records: Map<string, Incident>;
  #lastId: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    const document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Incident>;
    this.records = new Map(Object.entries(document));
    this.#lastId = Math.max(0, ...Array.from(this.records.keys(), Number));
  }

  list(filter: { severity?: string | undefined; status?: string | undefined; query?: string | undefined }, limit: number): Incident[] {
    const out: Incident[] = [];
    for (const incident of Array.from(this.records.values()).reverse()) {
      if (filter.severity !== undefined && incident.severity !== filter.severity) continue;
      if (filter.status !== undefined && incident.status !== filter.status) continue;
      if (filter.query !== undefined && !incident.title.toLowerCase().includes(filter.query.toLowerCase())) continue;
      out.push(incident);
      if (out.length === limit) break;
    }
    return out;
  }

  create(fields: Omit<Incident, 'id'>): Promise<Incident> {
    const next = this.#queue.then(async () => {
      const incident = { id: String(this.#lastId + 1), ...fields };
      const document = Object.fromEntries(this.records);
      document[incident.id] = incident;
      await this.#replace(`${JSON.stringify(document, null, 2)}\n`);
      this.records.set(incident.id, incident);
      this.#lastId += 1;
      return incident;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #replace(text: string): Promise<void> {
    const temp = `${this.path}.tmp`;
    const handle = await open(temp, 'w');
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
    await rename(temp, this.path);
    const directory = await open(dirname(this.path), 'r');
    await directory.sync();
    await directory.close();
  }
}

/** One line per incident in tool answers. */
export const describe = (i: Incident): string => `#${i.id} ${JSON.stringify(i.title)} (${i.severity}, ${i.status})`;
