// The single source of truth for the local streaming stack: versions, ports, URLs
// and paths. Import it from tests and tools:
//
//   import { stackConfig } from '../../stack/config.mjs';
//   stackConfig.kafka.bootstrapServers   // '127.0.0.1:9092'
//
// Every port can be overridden with an environment variable (listed next to it),
// read when this module is first imported. The cache (downloads, data, logs, pid
// files) lives in $STREAMT_STACK_HOME, default <repo>/.cache/stack (git-ignored).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Read an integer port from the environment, falling back to a default. */
function port(envName, fallback) {
  const raw = process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    throw new Error(`${envName}=${raw} is not a valid TCP port`);
  }
  return n;
}

const host = process.env.STREAMT_STACK_HOST || '127.0.0.1';
const home = path.resolve(process.env.STREAMT_STACK_HOME || path.join(repoRoot, '.cache', 'stack'));

/** Pinned versions; each one was checked against the registry it comes from. */
export const versions = Object.freeze({
  kafka: '4.1.1', // org.apache.kafka:kafka_2.13 (Maven Central)
  log4j2: '2.24.3', // logging binding Kafka's POMs leave out (Kafka 4.1 ships 2.24.3 too)
  debeziumJdbc: '3.5.0.Final', // io.debezium:debezium-connector-jdbc:tar.gz:plugin, built against Kafka 4.1.1
  flink: '1.20.3', // PyPI apache-flink + apache-flink-libraries, org.apache.flink:flink-sql-gateway
  flinkKafkaConnector: '3.4.0-1.20', // org.apache.flink:flink-connector-kafka (+ kafka-clients 3.4.0)
  flinkAvroConfluent: '1.20.0', // org.apache.flink:flink-sql-avro-confluent-registry (newest 1.20.x served)
  apicurio: '3.3.3', // io.apicurio:apicurio-registry-app:tar.gz:all (needs Java >= 21)
  postgresql: 'Debian package "postgresql" (15 on bookworm)',
  mavenDependencyPlugin: '3.8.1',
});

const ports = Object.freeze({
  kafka: port('STREAMT_KAFKA_PORT', 9092),
  kafkaController: port('STREAMT_KAFKA_CONTROLLER_PORT', 9093),
  /** The SASL/SCRAM-SHA-512 listener, where the StandardAuthorizer's ACLs apply (see kafka.sasl). */
  kafkaSasl: port('STREAMT_KAFKA_SASL_PORT', 9094),
  registry: port('STREAMT_REGISTRY_PORT', 8081),
  registryManagement: port('STREAMT_REGISTRY_MANAGEMENT_PORT', 9000), // Apicurio (Quarkus) health/metrics
  flinkRest: port('STREAMT_FLINK_REST_PORT', 8082),
  connect: port('STREAMT_CONNECT_PORT', 8083),
  flinkSqlGateway: port('STREAMT_FLINK_SQL_GATEWAY_PORT', 8084),
  flinkRpc: port('STREAMT_FLINK_RPC_PORT', 6123),
  gateway: port('STREAMT_GATEWAY_PORT', 8888),
  postgres: port('STREAMT_POSTGRES_PORT', 5432),
});

const http = (p, suffix = '') => `http://${host}:${p}${suffix}`;

export const paths = Object.freeze({
  repoRoot,
  home,
  /** downloaded and unpacked distributions */
  dist: path.join(home, 'dist'),
  /** service data (Kafka log dirs, Postgres cluster); wiped when a service is started fresh */
  data: path.join(home, 'data'),
  /** one log file per service: logs/<service>.log */
  logs: path.join(home, 'logs'),
  /** pid files (run/<service>.pid) and generated config files */
  run: path.join(home, 'run'),
});

export const stackConfig = Object.freeze({
  host,
  ports,
  versions,
  paths,
  kafka: Object.freeze({
    /** The plaintext listener: every client on it is a super user (User:ANONYMOUS), so no ACL applies. */
    bootstrapServers: `${host}:${ports.kafka}`,
    brokers: [`${host}:${ports.kafka}`],
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
    /**
     * The secured listener: SASL_PLAINTEXT with SCRAM-SHA-512, authorized by Kafka's
     * StandardAuthorizer with no access by default (allow.everyone.if.no.acl.found=false).
     * The stack creates these users when it formats the broker; `admin` is a super user,
     * the others can do only what ACLs grant them.
     */
    sasl: Object.freeze({
      bootstrapServers: `${host}:${ports.kafkaSasl}`,
      brokers: [`${host}:${ports.kafkaSasl}`],
      securityProtocol: 'SASL_PLAINTEXT',
      mechanism: 'SCRAM-SHA-512',
      users: Object.freeze({
        /** super user: what streamt itself uses on the secured listener */
        admin: Object.freeze({ username: 'streamt-admin', password: 'streamt-admin-secret', principal: 'User:streamt-admin' }),
        /** for Flink jobs */
        flink: Object.freeze({ username: 'flink-jobs', password: 'flink-jobs-secret', principal: 'User:flink-jobs' }),
        /** for Kafka Connect connectors (connector-level consumer.override.*) */
        connect: Object.freeze({ username: 'connect-sinks', password: 'connect-sinks-secret', principal: 'User:connect-sinks' }),
        /** applications, for exposures */
        reader: Object.freeze({ username: 'app-reader', password: 'app-reader-secret', principal: 'User:app-reader' }),
        writer: Object.freeze({ username: 'app-writer', password: 'app-writer-secret', principal: 'User:app-writer' }),
        other: Object.freeze({ username: 'app-other', password: 'app-other-secret', principal: 'User:app-other' }),
      }),
    }),
  }),
  connect: Object.freeze({ url: http(ports.connect) }),
  registry: Object.freeze({
    /** Confluent-compatible Schema Registry API (Apicurio ccompat v7) */
    url: http(ports.registry, '/apis/ccompat/v7'),
    /** Apicurio's own v3 API, for debugging */
    apicurioUrl: http(ports.registry, '/apis/registry/v3'),
  }),
  flink: Object.freeze({
    restUrl: http(ports.flinkRest),
    sqlGatewayUrl: http(ports.flinkSqlGateway),
  }),
  gateway: Object.freeze({
    /** CONTRACT FAKE of the Conduktor Gateway admin API v2 (stack/gateway-fake) */
    url: http(ports.gateway),
    fake: true,
    adminUser: 'admin',
    adminPassword: 'conduktor',
    /** a non-admin user: may read, may not write */
    readOnlyUser: 'reader',
    readOnlyPassword: 'reader',
  }),
  postgres: Object.freeze({
    host,
    port: ports.postgres,
    database: 'streamt',
    user: 'streamt',
    password: 'streamt',
    jdbcUrl: `jdbc:postgresql://${host}:${ports.postgres}/streamt`,
  }),
});

/** Service names in start order. */
export const serviceNames = Object.freeze([
  'postgres',
  'gateway-fake',
  'kafka',
  'connect',
  'registry',
  'flink-jobmanager',
  'flink-taskmanager',
  'flink-sql-gateway',
]);

export default stackConfig;
