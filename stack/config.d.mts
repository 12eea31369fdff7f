// Types for stack/config.mjs (the local stack's ports, URLs, versions and paths).
export interface StackPorts {
  kafka: number;
  kafkaController: number;
  kafkaSasl: number;
  registry: number;
  registryManagement: number;
  flinkRest: number;
  connect: number;
  flinkSqlGateway: number;
  flinkRpc: number;
  gateway: number;
  postgres: number;
}
export interface StackVersions {
  kafka: string;
  log4j2: string;
  debeziumJdbc: string;
  flink: string;
  flinkKafkaConnector: string;
  flinkAvroConfluent: string;
  apicurio: string;
  postgresql: string;
  mavenDependencyPlugin: string;
}
export interface StackPaths {
  repoRoot: string;
  home: string;
  dist: string;
  data: string;
  logs: string;
  run: string;
}
export interface StackKafkaUser {
  username: string;
  password: string;
  principal: string;
}
export interface StackConfig {
  host: string;
  ports: StackPorts;
  versions: StackVersions;
  paths: StackPaths;
  kafka: {
    bootstrapServers: string;
    brokers: string[];
    clusterId: string;
    sasl: {
      bootstrapServers: string;
      brokers: string[];
      securityProtocol: 'SASL_PLAINTEXT';
      mechanism: 'SCRAM-SHA-512';
      users: Record<'admin' | 'flink' | 'connect' | 'reader' | 'writer' | 'other', StackKafkaUser>;
    };
  };
  connect: { url: string };
  registry: { url: string; apicurioUrl: string };
  flink: { restUrl: string; sqlGatewayUrl: string };
  gateway: {
    url: string;
    fake: true;
    adminUser: string;
    adminPassword: string;
    readOnlyUser: string;
    readOnlyPassword: string;
  };
  postgres: { host: string; port: number; database: string; user: string; password: string; jdbcUrl: string };
}
export type ServiceName =
  | 'postgres'
  | 'gateway-fake'
  | 'kafka'
  | 'connect'
  | 'registry'
  | 'flink-jobmanager'
  | 'flink-taskmanager'
  | 'flink-sql-gateway';
export declare const versions: StackVersions;
export declare const paths: StackPaths;
export declare const stackConfig: StackConfig;
export declare const serviceNames: readonly ServiceName[];
export default stackConfig;
