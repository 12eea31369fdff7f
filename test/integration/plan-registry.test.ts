// Schema Registry subjects of sources: read-only. streamt checks the declared schema against the
// registry's latest and never registers, updates or deletes it (issue 10, item 5).
import { describe, expect, it } from 'vitest';
import { deleteSubjectAfterTest, registry } from './helpers.js';
import { changesOf, cleanupProject, letters, runtimeYaml, TestProject } from './plan-helpers.js';

const files = (sfx: string, fields: string) => ({
  'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}`,
  'sources/s.yml': `sources:
  - name: readings
    topic: it.readings.${sfx}
    schema:
      format: avro
      compatibility: BACKWARD
      definition: |
        {"type": "record", "name": "Reading", "namespace": "it", "fields": [${fields}]}
    columns:
      - { name: sensor_id, type: STRING }
`,
});

describe('plan: a source subject is read-only (it belongs to its producer)', () => {
  it('never registers it; a producer\'s v2 shows no change, with the registry\'s verdict; --prune never deletes it', async () => {
    const sfx = letters();
    const subject = `it.readings.${sfx}-value`;
    const p = new TestProject(`it_${sfx}`, files(sfx, '{"name": "sensor_id", "type": "string"}'));
    cleanupProject(p);
    deleteSubjectAfterTest(subject);
    // Not registered yet: streamt does not register it, it says the producer does.
    const missing = await p.planJson();
    expect(changesOf(missing)).toEqual([]);
    expect(missing.changes.find((c: any) => c.addr === `sr.subject.${subject}`).warnings[0]).toContain('its producer registers it');
    await p.apply();
    expect((await registry('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)).status).toBe(404);

    // The producer registers v1, then a compatible v2.
    const v1 = '{"type": "record", "name": "Reading", "namespace": "it", "fields": [{"name": "sensor_id", "type": "string"}]}';
    const v2 = '{"type": "record", "name": "Reading", "namespace": "it", "fields": [{"name": "sensor_id", "type": "string"}, {"name": "celsius", "type": ["null", "double"], "default": null}]}';
    expect((await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: v1 })).status).toBe(200);
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: v2 })).status).toBe(200);
    const after = await p.planJson(['--prune']);
    expect(changesOf(after)).toEqual([]);
    expect(after.changes.find((c: any) => c.addr === `sr.subject.${subject}`).warnings[0]).toMatch(/differs from the latest version 2/);
    await p.apply(['--prune']);

    // The source is removed from the project: --prune still leaves the subject alone.
    p.remove('sources/s.yml');
    const pruned = await p.planJson(['--prune']);
    expect(changesOf(pruned)).toEqual([]);
    await p.apply(['--prune']);
    const latest = await registry('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    expect(latest.status).toBe(200);
    expect(latest.body.version).toBe(2);
  });
});
