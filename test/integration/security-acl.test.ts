// Security that is enforced (issue 13), on the stack's secured listener: SASL/SCRAM-SHA-512 with
// Kafka's StandardAuthorizer and no access by default. streamt applies as the stack's super user;
// the Flink jobs, the connector and the applications authenticate as users that can do only what
// the ACLs streamt granted let them.
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopics, dropTableAfterTest, eventually, pgQuery, stackConfig } from './helpers.js';
import { changesOf, cleanupProject, JSON_MODELS, letters, TestProject } from './plan-helpers.js';

const SASL = stackConfig.kafka.sasl;
type User = keyof typeof SASL.users;

function client(user: User): kafkajs.Kafka {
  const u = SASL.users[user];
  return new kafkajs.Kafka({
    clientId: `it-${user}`,
    brokers: SASL.brokers,
    logLevel: kafkajs.logLevel.NOTHING,
    sasl: { mechanism: 'scram-sha-512', username: u.username, password: u.password },
    retry: { retries: 3, initialRetryTime: 300 },
  });
}

/** Reads `count` records as `user` in `group`; an error (authorization) is returned, not thrown. */
async function readAs(user: User, topic: string, group: string, count: number, timeoutMs = 60_000): Promise<{ values: string[]; error?: string }> {
  const consumer = client(user).consumer({ groupId: group });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ values, error: `timed out with ${values.length}/${count} records` }), timeoutMs);
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        const err = e.payload.error as { type?: string; message: string };
        resolve({ values, error: err.type ?? err.message });
      });
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length >= count) {
              clearTimeout(timer);
              resolve({ values });
            }
          },
        })
        .catch((e: { type?: string; message: string }) => {
          clearTimeout(timer);
          resolve({ values, error: e.type ?? e.message });
        });
    });
  } catch (e) {
    return { values, error: (e as { type?: string }).type ?? (e as Error).message };
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

async function writeAs(user: User, topic: string, value: string): Promise<string> {
  const producer = client(user).producer();
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value }] });
    return 'ok';
  } catch (e) {
    const err = e as { type?: string; message: string; cause?: { type?: string } };
    return err.type ?? err.cause?.type ?? err.message;
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

/** Every ACL binding of a principal, as `PERMISSION OPERATION type:name` strings (sorted). */
async function aclsOf(principal: string): Promise<string[]> {
  const admin = client('admin').admin();
  await admin.connect();
  try {
    const r = await admin.describeAcls({ resourceType: kafkajs.AclResourceTypes.ANY, resourcePatternType: kafkajs.ResourcePatternTypes.ANY, operation: kafkajs.AclOperationTypes.ANY, permissionType: kafkajs.AclPermissionTypes.ANY, principal });
    const name = (e: Record<string, unknown>, v: number) => Object.keys(e).find((k) => e[k] === v);
    return r.resources
      .flatMap((res) => res.acls.map((a) => `${name(kafkajs.AclPermissionTypes, a.permissionType)} ${name(kafkajs.AclOperationTypes, a.operation)} ${name(kafkajs.AclResourceTypes, res.resourceType)}:${res.resourceName}${res.resourcePatternType === kafkajs.ResourcePatternTypes.PREFIXED ? '*' : ''}`))
      .sort();
  } finally {
    await admin.disconnect();
  }
}

function secureProject(sfx: string, table: string): { project: TestProject; names: { source: string; clean: string; sink: string; group: string } } {
  const names = { source: `sec.orders.${sfx}`, clean: `clean_${sfx}`, sink: `to_db_${sfx}`, group: `scoring-${sfx}` };
  const u = SASL.users;
  const pg = stackConfig.postgres;
  const project = new TestProject(`sec_${sfx}`, {
    'stream_project.yml': `project:
  name: sec_${sfx}
runtime:
  kafka:
    bootstrap_servers: ${SASL.bootstrapServers}
    security_protocol: SASL_PLAINTEXT
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: ${u.admin.username}
    sasl_password: ${u.admin.password}
    acls:
      roles:
        fraud-engine: ${u.reader.principal}
        payments-app: ${u.writer.principal}
        support: ${u.other.principal}
  schema_registry:
    url: ${stackConfig.registry.url}
  flink:
    default: local
    clusters:
      local:
        rest_url: ${stackConfig.flink.restUrl}
        sql_gateway_url: ${stackConfig.flink.sqlGatewayUrl}
        kafka_connector: flink-connector-kafka
        kafka:
          sasl_username: ${u.flink.username}
          sasl_password: ${u.flink.password}
  connect:
    default: local
    clusters:
      local:
        rest_url: ${stackConfig.connect.url}
        kafka:
          sasl_username: ${u.connect.username}
          sasl_password: ${u.connect.password}
defaults:
${JSON_MODELS}  topic:
    partitions: 1
    replication_factor: 1
`,
    'sources/orders.yml': `sources:
  - name: orders
    topic: ${names.source}
    columns:
      - { name: order_id, type: STRING }
      - { name: amount, type: BIGINT }
`,
    'models/models.yml': `models:
  - name: ${names.clean}
    key: order_id
    flink:
      delivery: exactly_once
      checkpoint_interval_ms: 3000
    sql: |
      SELECT order_id, amount FROM {{ source("orders") }} WHERE amount > 0
  - name: ${names.sink}
    from:
      - ref: ${names.clean}
    sink:
      connector: debezium-jdbc-sink
      config:
        connection.url: ${pg.jdbcUrl}
        connection.username: ${pg.user}
        connection.password: ${pg.password}
        insert.mode: upsert
        primary.key.mode: record_value
        primary.key.fields: order_id
        schema.evolution: basic
        table.name.format: ${table}
`,
    'exposures/apps.yml': exposures(names),
  });
  return { project, names };
}

function exposures(names: { clean: string; group: string }, o: { withScoring?: boolean } = {}): string {
  return `exposures:
  - name: orders_app
    type: application
    role: producer
    produces: [{ source: orders }]
    access:
      roles: [payments-app]
${o.withScoring === false ? '' : `  - name: scoring
    type: application
    role: consumer
    consumes: [{ ref: ${names.clean} }]
    consumer_group: ${names.group}
    access:
      roles: [fraud-engine]
      purpose: fraud_detection
`}`;
}

describe('Kafka ACLs on the secured listener', () => {
  it('grants each client exactly what it needs: applications, a Flink job (exactly-once) and a JDBC sink run with only those grants; prune revokes exactly an exposure\'s', async () => {
    const sfx = letters();
    const table = `sec_orders_${sfx}`;
    const { project, names } = secureProject(sfx, table);
    // The source belongs to its producer: created by the test (as a super user), empty.
    await createTopics([{ topic: names.source }]);
    const unrelated = `sec.unrelated.${sfx}`;
    await createTopics([{ topic: unrelated }]);
    cleanupProject(project);
    dropTableAfterTest(table);

    const plan = await project.planJson();
    expect(changesOf(plan).filter((c) => c.startsWith('kafka.acl.'))).toEqual([
      `kafka.acl.exposure.orders_app create`,
      `kafka.acl.exposure.scoring create`,
      `kafka.acl.model.${names.clean} create`,
      `kafka.acl.model.${names.sink} create`,
    ]);
    // A job waits for its own grants.
    expect(plan.changes.find((c: any) => c.addr === `flink.job.${names.clean}`).dependsOn).toContain(`kafka.acl.model.${names.clean}`);
    const applied = await project.apply();
    expect(applied.stderr).toMatch(/✓ Apply complete: \d+ applied, 0 failed, 0 skipped/);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // What streamt granted, read back from Kafka.
    const ofThisTest = async (p: string) => (await aclsOf(p)).filter((b) => b.includes(sfx));
    expect(await ofThisTest(SASL.users.reader.principal)).toEqual([`ALLOW READ GROUP:${names.group}`, `ALLOW READ TOPIC:${names.clean}`]);
    expect(await ofThisTest(SASL.users.writer.principal)).toEqual([`ALLOW WRITE TOPIC:${names.source}`]);
    const flinkAcls = await aclsOf(SASL.users.flink.principal);
    for (const b of [`ALLOW READ GROUP:streamt.sec_${sfx}.${names.clean}`, `ALLOW READ TOPIC:${names.source}`, `ALLOW WRITE TOPIC:${names.clean}`, `ALLOW WRITE TRANSACTIONAL_ID:streamt.sec_${sfx}.${names.clean}-*`, `ALLOW READ GROUP:streamt.sec_${sfx}.${names.sink}.connect`, `ALLOW READ TOPIC:${names.clean}`, `ALLOW WRITE TOPIC:${names.sink}.connect`]) expect(flinkAcls).toContain(b);
    const connectAcls = await aclsOf(SASL.users.connect.principal);
    for (const b of [`ALLOW READ GROUP:connect-${names.sink}`, `ALLOW READ TOPIC:${names.sink}.connect`]) expect(connectAcls).toContain(b);

    // The producer exposure writes its source, and nothing else.
    expect(await writeAs('writer', names.source, JSON.stringify({ order_id: 'o1', amount: 120 }))).toBe('ok');
    await writeAs('writer', names.source, JSON.stringify({ order_id: 'o2', amount: 0 }));
    await writeAs('writer', names.source, JSON.stringify({ order_id: 'o3', amount: 75 }));
    expect(await writeAs('writer', names.clean, '{}')).toMatch(/AUTHORIZATION_FAILED/);
    expect(await writeAs('writer', unrelated, '{}')).toMatch(/AUTHORIZATION_FAILED/);

    // The Flink job (as flink-jobs, exactly-once) filters into the model topic; the consumer
    // exposure's principal reads it in its group.
    const read = await eventually('the consumer exposure reads the model topic', async () => {
      const r = await readAs('reader', names.clean, names.group, 2);
      return r.values.length >= 2 ? r : false;
    }, 240_000);
    expect(read.values.map((v) => JSON.parse(v).order_id).sort()).toEqual(['o1', 'o3']);
    // Another principal is refused on it, and the exposure's principal on an unrelated topic.
    expect((await readAs('other', names.clean, `other-${sfx}`, 1)).error).toMatch(/AUTHORIZATION_FAILED/);
    expect((await readAs('reader', unrelated, names.group, 1)).error).toMatch(/AUTHORIZATION_FAILED/);

    // The JDBC sink (its envelope job as flink-jobs, its consumer as connect-sinks) writes the rows.
    const rows = await eventually('rows in PostgreSQL', async () => {
      const got = await pgQuery(`SELECT order_id, amount FROM "${table}" ORDER BY order_id`).catch(() => []);
      return got.length >= 2 ? got : false;
    }, 240_000);
    expect(rows).toEqual([['o1', '120'], ['o3', '75']]);

    const status = JSON.parse((await project.cli(['status', '--format', 'json'])).stdout);
    const acls = status.resources.filter((r: any) => r.kind === 'acl');
    expect(acls.map((r: any) => [r.addr, r.state])).toEqual([
      ['kafka.acl.exposure.orders_app', 'granted'],
      ['kafka.acl.exposure.scoring', 'granted'],
      [`kafka.acl.model.${names.clean}`, 'granted'],
      [`kafka.acl.model.${names.sink}`, 'granted'],
    ]);

    // Remove the consumer exposure: its ACLs are an orphan, revoked by --prune, and only they.
    // (Only this test's bindings: the shared users may hold other runs' grants.)
    const mine = async () => Object.fromEntries(await Promise.all((['writer', 'flink', 'connect'] as const).map(async (u) => [u, (await aclsOf(SASL.users[u].principal)).filter((b) => b.includes(sfx))])));
    const before = await mine();
    expect(before.flink.length).toBe(7);
    project.write({ 'exposures/apps.yml': exposures(names, { withScoring: false }) });
    const kept = await project.planJson();
    expect(changesOf(kept)).toEqual([]);
    expect(kept.changes.find((c: any) => c.addr === 'kafka.acl.exposure.scoring')).toMatchObject({ orphan: true, action: 'no-op' });
    const pruned = await project.planJson(['--prune']);
    expect(changesOf(pruned)).toEqual(['kafka.acl.exposure.scoring delete']);
    expect(pruned.changes.find((c: any) => c.addr === 'kafka.acl.exposure.scoring').fields.map((f: any) => f.before).sort()).toEqual([
      `ALLOW ${SASL.users.reader.principal} READ group ${names.group}`,
      `ALLOW ${SASL.users.reader.principal} READ topic ${names.clean}`,
    ]);
    await project.apply(['--prune']);
    expect(await ofThisTest(SASL.users.reader.principal)).toEqual([]);
    expect(await mine()).toEqual(before);
    expect((await readAs('reader', names.clean, names.group, 1)).error).toMatch(/AUTHORIZATION_FAILED/);
    expect((await project.cli(['plan', '--prune', '--detailed-exitcode'])).code).toBe(0);
  });
});
