/**
 * How the Kafka clients streamt compiles (Flink jobs, connectors' consumers) reach Kafka and who
 * they are there (docs/security.md). Pure: everything comes from `runtime`.
 *
 * - A Flink cluster's jobs use the cluster's `kafka` identity (`sasl_username`/`sasl_password`),
 *   else streamt's own credentials (`runtime.kafka`). The SASL login module is named as the
 *   cluster's Kafka connector jar has it: `flink-sql-connector-kafka` (the default, and what
 *   Flink's documentation recommends for SQL) relocates Kafka's classes under
 *   `org.apache.flink.kafka.shaded.`; `flink-connector-kafka` with kafka-clients does not.
 * - A Connect cluster's connectors authenticate with its `kafka` identity through connector-level
 *   `consumer.override.*` (Kafka's default override policy since 3.0 is All); with only a
 *   `principal`, they run as the worker's principal.
 * - TLS material reaches jobs and connectors as PEM inline (`ssl.truststore.certificates`, from
 *   `runtime.kafka.ssl_ca_pem`) or as a path on the cluster's own nodes
 *   (`kafka.ssl_truststore_location` of the cluster); `ssl_ca_location` is a file on the CLI's
 *   machine and is never handed to them.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import { own } from '../core/own.js';
import type { Runtime } from '../project/schema.js';
import type { CompileContext } from './context.js';
import { option } from './quote.js';

type ClusterIdentity = NonNullable<NonNullable<NonNullable<NonNullable<Runtime['flink']>['clusters']>[string]>['kafka']>;

const LOGIN_MODULE: Record<'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};
/** Where flink-sql-connector-kafka relocates `org.apache.kafka` (its maven-shade-plugin configuration). */
export const SHADED_KAFKA_PREFIX = 'org.apache.flink.kafka.shaded.';

/** The cluster a job runs on when it names none: the runtime's default, else the first by name (as LiveSystems picks it). */
export function effectiveFlinkCluster(ctx: CompileContext, name: string | null): string | null {
  const f = ctx.project.runtime.flink;
  return name ?? f?.default ?? (Object.keys(f?.clusters ?? {}).sort()[0] ?? null);
}

export function effectiveConnectCluster(ctx: CompileContext, name: string | null): string | null {
  const c = ctx.project.runtime.connect;
  return name ?? c?.default ?? (Object.keys(c?.clusters ?? {}).sort()[0] ?? null);
}

function flinkIdentity(ctx: CompileContext, cluster: string | null): ClusterIdentity | undefined {
  const name = effectiveFlinkCluster(ctx, cluster);
  return name ? own(ctx.project.runtime.flink?.clusters, name)?.kafka : undefined;
}

function connectIdentity(ctx: CompileContext, cluster: string | null): ClusterIdentity | undefined {
  const name = effectiveConnectCluster(ctx, cluster);
  return name ? own(ctx.project.runtime.connect?.clusters, name)?.kafka : undefined;
}

/** The SASL login module class a client with this jar names in sasl.jaas.config. */
export function loginModule(mechanism: keyof typeof LOGIN_MODULE, shaded: boolean): string {
  return (shaded ? SHADED_KAFKA_PREFIX : '') + LOGIN_MODULE[mechanism];
}

function jaasQuote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** Kafka client properties (unprefixed) of a compiled client: protocol, SASL, truststore. Secrets as placeholders. */
function clientProperties(ctx: CompileContext, identity: ClusterIdentity | undefined, where: string, shaded: boolean): [string, string][] {
  const k = ctx.project.runtime.kafka;
  const v = ctx.vault;
  const out: [string, string][] = [];
  const protocol = k?.security_protocol;
  if (protocol) out.push(['security.protocol', protocol]);
  if (k?.sasl_mechanism) {
    out.push(['sasl.mechanism', k.sasl_mechanism]);
    const own = !!identity?.sasl_username;
    const user = v.scrub((own ? identity!.sasl_username : k.sasl_username) ?? '');
    const password = own ? v.configValue(where, 'sasl_password', identity!.sasl_password ?? '') : v.configValue('kafka', 'sasl_password', k.sasl_password ?? '');
    out.push(['sasl.jaas.config', `${loginModule(k.sasl_mechanism, shaded)} required username=${jaasQuote(user)} password=${jaasQuote(password)};`]);
  }
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    if (identity?.ssl_truststore_location) out.push(['ssl.truststore.type', 'PEM'], ['ssl.truststore.location', v.scrub(identity.ssl_truststore_location)]);
    else if (k?.ssl_ca_pem) out.push(['ssl.truststore.type', 'PEM'], ['ssl.truststore.certificates', k.ssl_ca_pem]);
  }
  return out;
}

/** A Flink Kafka table's connection options (`properties.*`) for a job on `cluster`. */
export function flinkConnectionOptions(ctx: CompileContext, bootstrap: string, cluster: string | null): string[] {
  const name = effectiveFlinkCluster(ctx, cluster);
  const jar = name ? own(ctx.project.runtime.flink?.clusters, name)?.kafka_connector : undefined;
  const shaded = (jar ?? 'flink-sql-connector-kafka') === 'flink-sql-connector-kafka';
  return [
    option('properties.bootstrap.servers', ctx.vault.scrub(bootstrap)),
    ...clientProperties(ctx, flinkIdentity(ctx, cluster), `flink.${name ?? 'default'}.kafka`, shaded).map(([k, v]) => option(`properties.${k}`, v)),
  ];
}

/**
 * `consumer.override.*` of a sink connector on `cluster` when the cluster has its own SASL
 * identity (empty otherwise: the connector runs as the worker's principal).
 */
export function connectConsumerOverrides(ctx: CompileContext, cluster: string | null): Record<string, string> {
  const id = connectIdentity(ctx, cluster);
  if (!id?.sasl_username) return {};
  const name = effectiveConnectCluster(ctx, cluster);
  const out: Record<string, string> = { 'consumer.override.bootstrap.servers': ctx.vault.scrub(ctx.bootstrapServers()) };
  // Connect loads kafka-clients unrelocated.
  for (const [k, v] of clientProperties(ctx, id, `connect.${name ?? 'default'}.kafka`, false)) out[`consumer.override.${k}`] = v;
  return out;
}

function principalOf(ctx: CompileContext, id: ClusterIdentity | undefined, inheritsStreamt: boolean): string | undefined {
  if (id?.principal) return id.principal;
  if (id?.sasl_username) return `User:${id.sasl_username}`;
  const k = ctx.project.runtime.kafka;
  return inheritsStreamt && k?.sasl_mechanism && k.sasl_username ? `User:${k.sasl_username}` : undefined;
}

/** The principal a Flink cluster's jobs authenticate as (undefined: unknown). */
export function flinkPrincipal(ctx: CompileContext, cluster: string | null): string | undefined {
  return principalOf(ctx, flinkIdentity(ctx, cluster), true);
}

/** The principal a Connect cluster's connectors consume as: its identity's, else unknown (the worker's is not streamt's to guess). */
export function connectPrincipal(ctx: CompileContext, cluster: string | null): string | undefined {
  return principalOf(ctx, connectIdentity(ctx, cluster), false);
}

/**
 * Settings that cannot reach the compiled clients as written: a CA file on this machine handed
 * to TaskManagers, an identity with SASL credentials on a cluster without SASL.
 */
export function checkClientSecurity(ctx: CompileContext, hasFlinkJobs: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rt = ctx.project.runtime;
  const k = rt.kafka;
  const at = (path: string[]) => ctx.project.runtimeAt(path, 'key');
  const tls = k?.security_protocol === 'SSL' || k?.security_protocol === 'SASL_SSL';
  if (tls && k?.ssl_ca_location && !k.ssl_ca_pem) {
    const clusters = hasFlinkJobs ? Object.entries(rt.flink?.clusters ?? {}).filter(([, c]) => !c.kafka?.ssl_truststore_location).map(([n]) => n) : [];
    if (clusters.length) {
      out.push(
        error('KAFKA_CA_NOT_ON_CLUSTER', `runtime.kafka.ssl_ca_location is a file on the machine that runs streamt; the jobs of Flink cluster${clusters.length > 1 ? 's' : ''} ${clusters.map((c) => `"${c}"`).join(', ')} run on the TaskManagers, which cannot read it`, {
          ...at(['kafka', 'ssl_ca_location']),
          hint: `set runtime.kafka.ssl_ca_pem (the PEM text, e.g. \${KAFKA_CA_PEM}: compiled inline as ssl.truststore.certificates), or runtime.flink.clusters.${clusters[0]}.kafka.ssl_truststore_location (a PEM file that exists on the Flink nodes)`,
        }),
      );
    }
  }
  for (const [kind, clusters] of [['flink', rt.flink?.clusters], ['connect', rt.connect?.clusters]] as const) {
    for (const [name, c] of Object.entries(clusters ?? {})) {
      if (c.kafka?.sasl_username && !k?.sasl_mechanism) {
        out.push(
          error('KAFKA_IDENTITY_WITHOUT_SASL', `runtime.${kind}.clusters.${name}.kafka has SASL credentials, but runtime.kafka sets no sasl_mechanism: the cluster's clients would not use them`, {
            ...at([kind, 'clusters', name, 'kafka', 'sasl_username']),
            hint: 'set runtime.kafka.security_protocol (SASL_PLAINTEXT or SASL_SSL) and sasl_mechanism: the cluster clients use the same listener as streamt, with their own user',
          }),
        );
      }
      if (c.kafka?.sasl_username && !c.kafka.sasl_password) {
        out.push(
          error('KAFKA_IDENTITY_WITHOUT_PASSWORD', `runtime.${kind}.clusters.${name}.kafka names sasl_username "${c.kafka.sasl_username}" without a sasl_password`, {
            ...at([kind, 'clusters', name, 'kafka', 'sasl_username']),
            hint: 'add sasl_password: ${VAR}',
          }),
        );
      }
    }
  }
  return out;
}
