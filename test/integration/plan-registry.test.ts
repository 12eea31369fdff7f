// Schema Registry subjects: registered on apply, an incompatible change is stated with the
// registry's reason and blocks the plan, a compatible one registers a new version.
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

describe('plan: Schema Registry subjects', () => {
  it('registers, refuses an incompatible schema with the reason, and registers a compatible version', async () => {
    const sfx = letters();
    const subject = `it.readings.${sfx}-value`;
    const p = new TestProject(`it_${sfx}`, files(sfx, '{"name": "sensor_id", "type": "string"}'));
    cleanupProject(p);
    deleteSubjectAfterTest(subject);
    const created = await p.planJson();
    expect(changesOf(created)).toEqual([`sr.subject.${subject} create`]);
    await p.apply();
    const latest = await registry('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    expect(latest.status).toBe(200);
    expect((await registry('GET', `/config/${encodeURIComponent(subject)}`)).body).toMatchObject({ compatibilityLevel: 'BACKWARD' });
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // A new required field without a default breaks BACKWARD compatibility.
    p.write(files(sfx, '{"name": "sensor_id", "type": "string"}, {"name": "celsius", "type": "double"}'));
    const bad = await p.cli(['plan']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('PLAN_SCHEMA_INCOMPATIBLE');
    expect(bad.stdout).toContain(`subject "${subject}" is incompatible with version 1 under BACKWARD compatibility`);

    // With a default it is compatible: a new version.
    p.write(files(sfx, '{"name": "sensor_id", "type": "string"}, {"name": "celsius", "type": "double", "default": 0.0}'));
    const good = await p.planJson();
    expect(changesOf(good)).toEqual([`sr.subject.${subject} update`]);
    await p.apply();
    const versions = await registry('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
    expect(versions.body).toHaveLength(2);
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});
