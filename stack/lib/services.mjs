// Service definitions: how each part of the stack is configured, started and probed.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { stackConfig as cfg, paths } from '../config.mjs';
import { dist, findJava21, findPostgresBin, findFile } from './install.mjs';
import { startDetached, run, logFile } from './proc.mjs';
import { httpGet, httpJson, tcpOpen, kafkaReady } from './probe.mjs';

const H = cfg.host;
const P = cfg.ports;
const runDir = (name) => {
  const d = path.join(paths.run, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const javaFlagsSmall = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

function postgresUser() {
  if (process.getuid?.() !== 0) return null; // not root: run as ourselves
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root but there is no "postgres" system user (apt-get install postgresql creates it)');
  }
}

function chownR(dir, owner) {
  if (!owner) return;
  fs.chownSync(dir, owner.uid, owner.gid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownR(p, owner);
    else fs.chownSync(p, owner.uid, owner.gid);
  }
}

/** Unix socket directory for Postgres (socket paths must stay under ~100 bytes). */
function pgSocketDir() {
  const d = path.join(paths.run, 'pg');
  return d.length < 80 ? d : path.join('/tmp', `streamt-pg-${P.postgres}`);
}

function psql(sql, { asSuperuserViaSocket = false, database } = {}) {
  const bin = findPostgresBin();
  const psqlBin = bin && fs.existsSync(path.join(bin, 'psql')) ? path.join(bin, 'psql') : 'psql';
  if (asSuperuserViaSocket) {
    return run(psqlBin, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', pgSocketDir(), '-p', String(P.postgres), '-U', 'postgres',
      '-d', database ?? 'postgres', '-c', sql], { ...(postgresUser() ?? {}) });
  }
  return run(psqlBin, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', H, '-p', String(P.postgres), '-U', cfg.postgres.user,
    '-d', database ?? cfg.postgres.database, '-c', sql], { env: { PGPASSWORD: cfg.postgres.password } });
}

const kafkaLibs = () => `${path.join(dist.kafka, 'libs')}/*`;

function writeKafkaLog4j() {
  const file = path.join(runDir('kafka'), 'log4j2.properties');
  fs.writeFileSync(file, [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = OUT',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.out.ref = OUT',
    // Keep the noisiest loggers quieter; errors and warnings still show.
    'logger.coord.name = org.apache.kafka.coordinator',
    'logger.coord.level = WARN',
    'logger.log.name = kafka.log',
    'logger.log.level = WARN',
    'logger.reflections.name = org.reflections',
    'logger.reflections.level = ERROR',
    '',
  ].join('\n'));
  return file;
}

/** Whether the running broker's configuration (written when it was started) has the SASL listener. */
function kafkaHasSaslListener() {
  try {
    return fs.readFileSync(path.join(paths.run, 'kafka', 'server.properties'), 'utf8').includes('SASL_PLAINTEXT://');
  } catch {
    return true;
  }
}

export const services = {
  postgres: {
    describe: `PostgreSQL (Debian) on ${H}:${P.postgres}, database ${cfg.postgres.database}`,
    port: P.postgres,
    timeoutMs: 60_000,
    stopSignal: 'SIGINT', // "fast" shutdown; SIGTERM would wait for clients to disconnect
    async start() {
      const bin = findPostgresBin();
      if (!bin) throw new Error('PostgreSQL binaries not found (install step did not run?)');
      const owner = postgresUser();
      const dataDir = path.join(paths.data, 'postgres');
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.mkdirSync(paths.data, { recursive: true });
      fs.chmodSync(paths.data, 0o755); // the postgres user must be able to traverse it
      fs.mkdirSync(dataDir, { mode: 0o700 });
      const sock = pgSocketDir();
      fs.mkdirSync(sock, { recursive: true });
      chownR(dataDir, owner);
      chownR(sock, owner);
      await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth-local=trust',
        '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions'], { logFile: logFile('postgres'), ...(owner ?? {}) });
      return startDetached('postgres', path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(P.postgres), '-k', sock,
        '-c', `listen_addresses=${H}`, '-c', 'shared_buffers=32MB', '-c', 'max_connections=50', '-c', 'fsync=off',
        '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      { marker: dataDir, stopSignal: this.stopSignal, ...(owner ?? {}) });
    },
    async afterReady() {
      const { user, password, database } = cfg.postgres;
      await psql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`, { asSuperuserViaSocket: true });
      await psql(`CREATE DATABASE ${database} OWNER ${user}`, { asSuperuserViaSocket: true });
    },
    async probe() {
      return tcpOpen(H, P.postgres);
    },
    async healthy() {
      return (await psql('select 1')).trim() === '1';
    },
  },

  'gateway-fake': {
    describe: `Conduktor Gateway admin API v2 CONTRACT FAKE on ${cfg.gateway.url}`,
    port: P.gateway,
    timeoutMs: 20_000,
    async start() {
      const script = path.join(paths.repoRoot, 'stack', 'gateway-fake', 'server.mjs');
      return startDetached('gateway-fake', process.execPath, [script, '--host', H, '--port', String(P.gateway)], {
        marker: script,
        env: {
          GATEWAY_ADMIN_API_USERS: JSON.stringify([
            { username: cfg.gateway.adminUser, password: cfg.gateway.adminPassword, admin: true },
            { username: cfg.gateway.readOnlyUser, password: cfg.gateway.readOnlyPassword, admin: false },
          ]),
        },
      });
    },
    async probe() {
      const r = await httpGet(`${cfg.gateway.url}/health`);
      return r.status === 200;
    },
  },

  kafka: {
    describe: `Apache Kafka ${cfg.versions.kafka} (KRaft, broker+controller) on ${cfg.kafka.bootstrapServers}`,
    port: P.kafka,
    extraPorts: [P.kafkaController, P.kafkaSasl],
    timeoutMs: 120_000,
    async start() {
      const dir = runDir('kafka');
      const dataDir = path.join(paths.data, 'kafka');
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.mkdirSync(dataDir, { recursive: true });
      const props = path.join(dir, 'server.properties');
      fs.writeFileSync(props, [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@${H}:${P.kafkaController}`,
        `listeners=PLAINTEXT://${H}:${P.kafka},CONTROLLER://${H}:${P.kafkaController},SASL_PLAINTEXT://${H}:${P.kafkaSasl}`,
        `advertised.listeners=PLAINTEXT://${H}:${P.kafka},SASL_PLAINTEXT://${H}:${P.kafkaSasl}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        // The secured listener: SCRAM-SHA-512 users (created at format time, below) and Kafka's
        // StandardAuthorizer with no access by default. Clients of the plaintext and controller
        // listeners are User:ANONYMOUS, a super user, so the stack's own plaintext clients (and
        // every test on 9092) keep full access.
        'sasl.enabled.mechanisms=SCRAM-SHA-512',
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512',
        'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        `super.users=User:ANONYMOUS;${cfg.kafka.sasl.users.admin.principal}`,
        'allow.everyone.if.no.acl.found=false',
        `log.dirs=${dataDir}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=5',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=5',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'num.network.threads=2',
        'num.io.threads=4',
        'log.segment.bytes=16777216',
        '',
      ].join('\n'));
      const log4j = writeKafkaLog4j();
      const logOpt = `-Dlog4j2.configurationFile=${log4j}`;
      // SCRAM users of the secured listener are bootstrapped into the metadata log at format time.
      const scram = Object.values(cfg.kafka.sasl.users).flatMap((u) => ['--add-scram', `SCRAM-SHA-512=[name=${u.username},password=${u.password}]`]);
      await run('java', [logOpt, '-cp', kafkaLibs(), 'kafka.tools.StorageTool', 'format', '-t', cfg.kafka.clusterId,
        '-c', props, '--ignore-formatted', ...scram], { logFile: logFile('kafka') });
      return startDetached('kafka', 'java', ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', logOpt,
        '-cp', kafkaLibs(), 'kafka.Kafka', props], { marker: props });
    },
    async probe() {
      // Both listeners: plaintext, and the secured one with the stack's super user. A broker
      // started by an older version of this file (no SASL listener in its server.properties) is
      // judged on its plaintext listener, so a shared stack stays usable until it is restarted.
      const { admin } = cfg.kafka.sasl.users;
      if (!(await kafkaReady(cfg.kafka.brokers))) return false;
      if (!kafkaHasSaslListener()) return true;
      return kafkaReady(cfg.kafka.sasl.brokers, { mechanism: 'scram-sha-512', username: admin.username, password: admin.password });
    },
  },

  connect: {
    describe: `Kafka Connect ${cfg.versions.kafka} (distributed) on ${cfg.connect.url}`,
    port: P.connect,
    timeoutMs: 180_000,
    async start() {
      const dir = runDir('connect');
      const props = path.join(dir, 'worker.properties');
      fs.writeFileSync(props, [
        `bootstrap.servers=${cfg.kafka.bootstrapServers}`,
        'group.id=streamt-connect',
        `listeners=http://${H}:${P.connect}`,
        `rest.advertised.host.name=${H}`,
        `rest.advertised.port=${P.connect}`,
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable=false',
        'config.storage.topic=_streamt-connect-configs',
        'offset.storage.topic=_streamt-connect-offsets',
        'status.storage.topic=_streamt-connect-status',
        'config.storage.replication.factor=1',
        'offset.storage.replication.factor=1',
        'status.storage.replication.factor=1',
        'offset.storage.partitions=1',
        'status.storage.partitions=1',
        'offset.flush.interval.ms=1000',
        'scheduled.rebalance.max.delay.ms=0',
        `plugin.path=${dist.connectPlugins}`,
        '',
      ].join('\n'));
      const log4j = writeKafkaLog4j();
      return startDetached('connect', 'java', ['-Xms128m', '-Xmx640m', ...javaFlagsSmall,
        `-Dlog4j2.configurationFile=${log4j}`, '-cp', kafkaLibs(),
        'org.apache.kafka.connect.cli.ConnectDistributed', props], { marker: props });
    },
    async probe() {
      const r = await httpGet(`${cfg.connect.url}/connectors`);
      if (r.status !== 200) return false;
      const plugins = await httpJson(`${cfg.connect.url}/connector-plugins`);
      const classes = plugins.map((p) => p.class);
      return ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'io.debezium.connector.jdbc.JdbcSinkConnector']
        .every((c) => classes.includes(c));
    },
  },

  registry: {
    describe: `Apicurio Registry ${cfg.versions.apicurio} (Confluent-compatible API) on ${cfg.registry.url}`,
    port: P.registry,
    extraPorts: [P.registryManagement],
    timeoutMs: 120_000,
    async start() {
      const java = findJava21();
      if (!java) throw new Error('no Java >= 21 for Apicurio Registry (install step did not run?)');
      const jar = findFile(dist.apicurio, 'quarkus-run.jar', 3);
      return startDetached('registry', java, ['-Xms64m', '-Xmx384m', ...javaFlagsSmall,
        `-Dquarkus.http.host=${H}`, `-Dquarkus.http.port=${P.registry}`,
        `-Dquarkus.management.host=${H}`, `-Dquarkus.management.port=${P.registryManagement}`,
        '-Dapicurio.rest.deletion.group.enabled=true',
        '-Dapicurio.rest.deletion.artifact.enabled=true',
        '-Dapicurio.rest.deletion.artifact-version.enabled=true',
        '-jar', jar], { marker: jar, cwd: path.dirname(jar) });
    },
    async probe() {
      const r = await httpGet(`${cfg.registry.url}/subjects`);
      return r.status === 200;
    },
  },

  'flink-jobmanager': {
    describe: `Apache Flink ${cfg.versions.flink} JobManager, REST on ${cfg.flink.restUrl}`,
    port: P.flinkRest,
    extraPorts: [P.flinkRpc],
    timeoutMs: 120_000,
    async start() {
      const confDir = writeFlinkConf();
      return startDetached('flink-jobmanager', 'bash', [path.join(dist.flink, 'bin', 'jobmanager.sh'), 'start-foreground'],
        { marker: dist.flink, env: flinkEnv(confDir) });
    },
    async probe() {
      const o = await httpJson(`${cfg.flink.restUrl}/overview`);
      return typeof o['flink-version'] === 'string';
    },
  },

  'flink-taskmanager': {
    describe: `Apache Flink ${cfg.versions.flink} TaskManager (8 slots)`,
    port: null,
    timeoutMs: 120_000,
    async start() {
      const confDir = writeFlinkConf();
      return startDetached('flink-taskmanager', 'bash', [path.join(dist.flink, 'bin', 'taskmanager.sh'), 'start-foreground'],
        { marker: dist.flink, env: flinkEnv(confDir) });
    },
    async probe() {
      const o = await httpJson(`${cfg.flink.restUrl}/overview`);
      return o.taskmanagers >= 1 && o['slots-total'] >= 1;
    },
  },

  'flink-sql-gateway': {
    describe: `Apache Flink ${cfg.versions.flink} SQL Gateway, REST on ${cfg.flink.sqlGatewayUrl}`,
    port: P.flinkSqlGateway,
    timeoutMs: 120_000,
    async start() {
      const confDir = writeFlinkConf();
      return startDetached('flink-sql-gateway', 'bash', [path.join(dist.flink, 'bin', 'sql-gateway.sh'), 'start-foreground'],
        { marker: dist.flink, env: flinkEnv(confDir) });
    },
    async probe() {
      const info = await httpJson(`${cfg.flink.sqlGatewayUrl}/v1/info`);
      return info.productName === 'Apache Flink';
    },
  },
};

function flinkEnv(confDir) {
  const logDir = path.join(paths.logs, 'flink');
  fs.mkdirSync(logDir, { recursive: true });
  return { FLINK_CONF_DIR: confDir, FLINK_LOG_DIR: logDir, FLINK_HOME: dist.flink };
}

/** Flink's config.yaml (1.20 standard YAML; flattened keys are accepted). */
function writeFlinkConf() {
  const dir = runDir('flink-conf');
  const shipped = fs.readFileSync(path.join(dist.flink, 'conf', 'config.yaml'), 'utf8');
  // Keep the shipped Java 17 --add-opens/--add-exports list verbatim.
  const m = shipped.match(/^\s*all:\s*(--add-.*)$/m);
  if (!m) throw new Error(`cannot find env.java.opts.all in ${path.join(dist.flink, 'conf', 'config.yaml')}`);
  for (const f of ['log4j-console.properties', 'log4j.properties', 'log4j-cli.properties', 'log4j-session.properties']) {
    fs.copyFileSync(path.join(dist.flink, 'conf', f), path.join(dir, f));
  }
  const checkpoints = path.join(paths.data, 'flink', 'checkpoints');
  const savepoints = path.join(paths.data, 'flink', 'savepoints');
  fs.mkdirSync(checkpoints, { recursive: true });
  fs.mkdirSync(savepoints, { recursive: true });
  const lines = {
    'env.java.opts.all': m[1].trim(),
    'env.java.opts.jobmanager': '-XX:+UseSerialGC',
    'env.java.opts.sql-gateway': '-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1',
    'jobmanager.bind-host': H,
    'jobmanager.rpc.address': H,
    'jobmanager.rpc.port': P.flinkRpc,
    'jobmanager.memory.process.size': '1024m',
    'jobmanager.execution.failover-strategy': 'region',
    'taskmanager.bind-host': H,
    'taskmanager.host': H,
    'taskmanager.numberOfTaskSlots': 8,
    'taskmanager.memory.process.size': '2048m',
    'taskmanager.memory.managed.fraction': 0.1,
    'parallelism.default': 1,
    'rest.address': H,
    'rest.bind-address': H,
    'rest.port': P.flinkRest,
    'sql-gateway.endpoint.rest.address': H,
    'sql-gateway.endpoint.rest.bind-address': H,
    'sql-gateway.endpoint.rest.port': P.flinkSqlGateway,
    'execution.checkpointing.dir': `file://${checkpoints}`,
    'execution.checkpointing.savepoint-dir': `file://${savepoints}`,
  };
  const yaml = Object.entries(lines).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'config.yaml'), yaml);
  return dir;
}

/** Start stages: services within a stage start together, stages run in order. */
export const stages = [
  ['postgres', 'gateway-fake', 'kafka'],
  ['connect', 'registry'],
  ['flink-jobmanager'],
  ['flink-taskmanager', 'flink-sql-gateway'],
];
