// Access compiled to Kafka ACLs (issue 13): roles → principals, grants per exposure, job and
// connector, deny and access checks, and the SASL/TLS settings handed to jobs and connectors.
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import { aclText } from '../../src/adapters/kafka/acl-diff.js';
import { SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const runtime = (o: { acls?: string; kafka?: string; flink?: string; connect?: string } = {}) => `project:
  name: sec
runtime:
  kafka:
    bootstrap_servers: broker:9094
    security_protocol: SASL_PLAINTEXT
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: streamt-admin
    sasl_password: \${KAFKA_PASSWORD}
${o.kafka ?? ''}${o.acls ?? `    acls:
      roles:
        fraud-engine: User:fraud-scoring
        analytics: [User:metabase, User:analyst]
        support: User:support-desk
`}  flink:
    default: local
    clusters:
      local:
        rest_url: http://f:8082
${o.flink ?? `        kafka_connector: flink-connector-kafka
        kafka:
          sasl_username: flink-jobs
          sasl_password: \${FLINK_KAFKA_PASSWORD}
`}  connect:
    default: local
    clusters:
      local:
        rest_url: http://c:8083
${o.connect ?? `        kafka:
          sasl_username: connect-sinks
          sasl_password: \${CONNECT_KAFKA_PASSWORD}
`}`;

const MODELS = `models:
  - name: clean
    key: order_id
    sql: SELECT order_id, customer_id, amount FROM {{ source("orders_raw") }} WHERE amount > 0
  - name: totals
    key: customer_id
    flink:
      delivery: exactly_once
    sql: SELECT customer_id, SUM(amount) AS total FROM {{ ref("clean") }} GROUP BY customer_id
  - name: to_files
    from: [{ ref: clean }]
    sink:
      connector: file-sink
      config:
        file: /tmp/out.txt
`;

const EXPOSURES = `exposures:
  - name: scoring
    type: application
    role: consumer
    consumes: [{ ref: clean }]
    consumer_group: scoring-v1
    access:
      roles: [fraud-engine]
      purpose: fraud_detection
  - name: orders_api
    type: application
    role: producer
    produces: [{ source: orders_raw }]
    access:
      roles: [support]
`;

const env = { KAFKA_PASSWORD: 'admin-pw-123', FLINK_KAFKA_PASSWORD: 'flink-pw-456', CONNECT_KAFKA_PASSWORD: 'connect-pw-789' };

function compile(files: Record<string, string>) {
  const { resolved, diagnostics } = resolveFiles(files, { processEnv: env });
  if (!resolved) throw new Error(JSON.stringify(diagnostics, null, 2));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  const all = [...resolved.diagnostics, ...result.diagnostics];
  return { resolved, result, all, errors: all.filter((d) => d.severity === 'error') };
}

const project = (o: Parameters<typeof runtime>[0] = {}, models = MODELS, exposures = EXPOSURES) => ({ 'stream_project.yml': runtime(o), 'sources/s.yml': SOURCES, 'models/m.yml': models, 'exposures/e.yml': exposures });

function bindings(result: ReturnType<typeof compile>['result'], addr: string): string[] {
  const a = result.artifacts.acls.find((x) => x.addr === addr);
  return a ? a.spec.bindings.map(aclText) : [];
}

describe('ACLs compiled from the project', () => {
  it('grants each node exactly what it reads and writes, to its principal', () => {
    const { result, errors } = compile(project());
    expect(errors).toEqual([]);
    expect(result.artifacts.acls.map((a) => a.addr)).toEqual(['kafka.acl.exposure.orders_api', 'kafka.acl.exposure.scoring', 'kafka.acl.model.clean', 'kafka.acl.model.to_files', 'kafka.acl.model.totals']);
    expect(bindings(result, 'kafka.acl.exposure.scoring')).toEqual(['ALLOW User:fraud-scoring READ group scoring-v1', 'ALLOW User:fraud-scoring READ topic clean']);
    expect(bindings(result, 'kafka.acl.exposure.orders_api')).toEqual(['ALLOW User:support-desk WRITE topic orders.raw.v1']);
    expect(bindings(result, 'kafka.acl.model.clean')).toEqual(['ALLOW User:flink-jobs READ group streamt.sec.clean', 'ALLOW User:flink-jobs WRITE topic clean', 'ALLOW User:flink-jobs READ topic orders.raw.v1']);
    // Exactly-once: the job's transactional ids, `<pipeline.name>-<subtask>-<n>`.
    expect(bindings(result, 'kafka.acl.model.totals')).toEqual([
      'ALLOW User:flink-jobs READ group streamt.sec.totals',
      'ALLOW User:flink-jobs READ topic clean',
      'ALLOW User:flink-jobs WRITE topic totals',
      'ALLOW User:flink-jobs WRITE transactional-id-prefix streamt.sec.totals-',
    ]);
    // The connector consumes in Connect's group connect-<name>, as the cluster's principal.
    expect(bindings(result, 'kafka.acl.model.to_files')).toEqual(['ALLOW User:connect-sinks READ group connect-to_files', 'ALLOW User:connect-sinks READ topic clean']);
    const manifest = result.manifest.artifacts.acls!;
    expect(manifest.map((a) => a.addr)).toEqual(result.artifacts.acls.map((a) => a.addr));
    expect(result.files.get('acls/exposure.scoring.json')).toContain('"principal": "User:fraud-scoring"');
  });

  it('compiles no ACL and no manifest entry without runtime.kafka.acls', () => {
    const { result, errors } = compile(project({ acls: '' }));
    expect(errors).toEqual([]);
    expect(result.artifacts.acls).toEqual([]);
    expect(result.manifest.artifacts.acls).toBeUndefined();
  });

  it('the jobs and connectors authenticate with their cluster identity, never with streamt\'s credentials', () => {
    const { result } = compile(project());
    const sql = result.files.get('flink/clean.sql')!;
    expect(sql).toContain("'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required username=\"flink-jobs\" password=\"${env:FLINK_KAFKA_PASSWORD}\";'");
    expect(sql).not.toContain('streamt-admin');
    const connector = result.artifacts.connectors[0]!.spec.config;
    expect(connector['consumer.override.bootstrap.servers']).toBe('broker:9094');
    expect(connector['consumer.override.security.protocol']).toBe('SASL_PLAINTEXT');
    expect(connector['consumer.override.sasl.mechanism']).toBe('SCRAM-SHA-512');
    expect(connector['consumer.override.sasl.jaas.config']).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required username="connect-sinks" password="${env:CONNECT_KAFKA_PASSWORD}";');
    for (const [, text] of result.files) for (const v of Object.values(env)) expect(text).not.toContain(v);
  });

  it('names the relocated login module for the shaded flink-sql-connector-kafka (the default)', () => {
    const { result } = compile(project({ flink: '' }));
    const sql = result.files.get('flink/clean.sql')!;
    expect(sql).toContain("'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username=\"streamt-admin\"");
    // Without an identity of their own, the jobs are streamt's principal.
    expect(bindings(result, 'kafka.acl.model.clean')).toContain('ALLOW User:streamt-admin WRITE topic clean');
  });

  it('an unknown job or connector principal is an error', () => {
    const { errors } = compile(project({ connect: '' }));
    expect(errors.map((d) => [d.code, d.message])).toEqual([['ACL_PRINCIPAL_UNKNOWN', 'streamt cannot grant connect.connector.to_files its ACLs: the Kafka principal of Kafka Connect cluster "local" is unknown']]);
    expect(errors[0]!.file).toBe('stream_project.yml');
  });

  it('an unmapped role is an error at the exposure', () => {
    const exposures = EXPOSURES.replace('roles: [fraud-engine]', 'roles: [fraud-engine, risk]');
    const { errors } = compile(project({}, MODELS, exposures));
    expect(errors.map((d) => d.code)).toEqual(['ACL_ROLE_UNMAPPED']);
    expect(errors[0]).toMatchObject({ file: 'exposures/e.yml', line: 7 });
    expect(errors[0]!.message).toContain('Role "risk" of exposure "scoring" has no Kafka principal');
  });

  it('deny compiles an explicit DENY and refuses an exposure with the denied role', () => {
    const models = MODELS.replace('  - name: clean\n', '  - name: clean\n    security:\n      policies:\n        - deny: { roles: [support] }\n');
    const ok = compile(project({}, models));
    expect(ok.errors).toEqual([]);
    expect(bindings(ok.result, 'kafka.acl.model.clean')).toContain('DENY User:support-desk READ topic clean');
    const exposures = EXPOSURES.replace('roles: [fraud-engine]', 'roles: [fraud-engine, support]');
    const bad = compile(project({}, models, exposures));
    expect(bad.errors.map((d) => d.code)).toEqual(['ACCESS_ROLE_DENIED']);
    expect(bad.errors[0]!.message).toBe('Exposure "scoring" reads model "clean" with role "support", which the model denies');
  });

  it('a deny on a principal the project grants on that topic is an error', () => {
    const models = MODELS.replace('  - name: clean\n', '  - name: clean\n    security:\n      policies:\n        - deny: { roles: [ops] }\n');
    const { errors } = compile(project({ acls: '    acls:\n      roles:\n        fraud-engine: User:fraud-scoring\n        support: User:support-desk\n        ops: User:connect-sinks\n' }, models));
    expect(errors.map((d) => d.code)).toEqual(['ACL_DENY_CONFLICT']);
  });

  it('allow admits roles for a purpose; other roles and purposes are errors', () => {
    const models = MODELS.replace('  - name: clean\n', '  - name: clean\n    security:\n      policies:\n        - allow: { roles: [fraud-engine], purpose: fraud_detection }\n        - allow: { roles: [analytics] }\n');
    expect(compile(project({}, models)).errors).toEqual([]);
    const purpose = compile(project({}, models, EXPOSURES.replace('purpose: fraud_detection', 'purpose: marketing')));
    expect(purpose.errors.map((d) => [d.code, d.message])).toEqual([['ACCESS_PURPOSE_NOT_ALLOWED', 'Exposure "scoring" reads model "clean" for purpose "marketing", but the model allows role "fraud-engine" only for purpose "fraud_detection"']]);
    const role = compile(project({}, models, EXPOSURES.replace('roles: [fraud-engine]', 'roles: [support]')));
    expect(role.errors.map((d) => d.code)).toEqual(['ACCESS_ROLE_NOT_ALLOWED']);
    // analytics is admitted for any purpose.
    expect(compile(project({}, models, EXPOSURES.replace('roles: [fraud-engine]', 'roles: [analytics]'))).errors).toEqual([]);
  });

  it('a private model of a group refuses exposures outside the group', () => {
    const models = MODELS.replace('  - name: clean\n', '  - name: clean\n    access: private\n    group: fraud\n');
    const { errors } = compile(project({}, models.replace('  - name: to_files\n', '  - name: to_files\n    group: fraud\n').replace('  - name: totals\n', '  - name: totals\n    group: fraud\n')));
    expect(errors.map((d) => [d.code, d.message])).toEqual([['ACCESS_DENIED', 'Access denied: exposure "scoring" cannot reference private model "clean" of group fraud']]);
    const inside = compile(project({}, models.replace('  - name: to_files\n', '  - name: to_files\n    group: fraud\n').replace('  - name: totals\n', '  - name: totals\n    group: fraud\n'), EXPOSURES.replace('    consumer_group: scoring-v1\n', '    consumer_group: scoring-v1\n    group: fraud\n')));
    expect(inside.errors).toEqual([]);
  });
});

describe('TLS material for jobs', () => {
  it('inlines ssl_ca_pem as ssl.truststore.certificates, in jobs and connector overrides', () => {
    const files = project({ kafka: '    ssl_ca_pem: |\n      -----BEGIN CERTIFICATE-----\n      MIIBxx\n      -----END CERTIFICATE-----\n' });
    files['stream_project.yml'] = files['stream_project.yml'].replace('security_protocol: SASL_PLAINTEXT', 'security_protocol: SASL_SSL');
    const { result, errors } = compile(files);
    expect(errors).toEqual([]);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBxx\n-----END CERTIFICATE-----\n';
    const sql = result.files.get('flink/clean.sql')!;
    expect(sql).toContain(`'properties.ssl.truststore.type' = 'PEM'`);
    expect(sql).toContain(`'properties.ssl.truststore.certificates' = '${pem}'`);
    expect(result.artifacts.connectors[0]!.spec.config['consumer.override.ssl.truststore.certificates']).toBe(pem);
  });

  it('refuses a CA path on this machine for jobs that run on the TaskManagers', () => {
    const files = project({ acls: '', kafka: '    ssl_ca_location: /etc/kafka/ca.pem\n' });
    files['stream_project.yml'] = files['stream_project.yml'].replace('security_protocol: SASL_PLAINTEXT', 'security_protocol: SASL_SSL');
    const { errors } = compile(files);
    expect(errors.map((d) => d.code)).toEqual(['KAFKA_CA_NOT_ON_CLUSTER']);
    const fixed = { ...files, 'stream_project.yml': files['stream_project.yml'].replace('          sasl_username: flink-jobs\n', '          sasl_username: flink-jobs\n          ssl_truststore_location: /opt/flink/ca.pem\n') };
    const ok = compile(fixed);
    expect(ok.errors).toEqual([]);
    expect(ok.result.files.get('flink/clean.sql')).toContain("'properties.ssl.truststore.location' = '/opt/flink/ca.pem'");
  });
});
