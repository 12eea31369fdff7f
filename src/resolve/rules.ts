/**
 * Governance rules from `rules:`. They fail closed: when a value a rule needs is unknown (no
 * partitions declared anywhere, no columns to classify), that is a violation, not a pass.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import { hasOwn, own } from '../core/own.js';
import { stringifyConfig } from '../project/normalize.js';
import type { ModelNode, Project, SourceNode } from '../project/types.js';
import { outputColumns } from './columns.js';
import type { ResolvedModel, ResolvedProject } from './types.js';

export interface EffectiveTopic {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  config: Record<string, string>;
}

/** The topic a model writes, with defaults applied: the one place both rules and compiler use. */
export function effectiveTopic(model: ModelNode, project: Project): EffectiveTopic {
  const d = project.defaults;
  const t: EffectiveTopic = {
    name: model.topic.name ?? model.name,
    config: { ...stringifyConfig(d.topic?.config), ...stringifyConfig(d.models?.topic?.config), ...model.topic.config },
  };
  const partitions = model.topic.partitions ?? d.models?.topic?.partitions ?? d.topic?.partitions;
  const rf = model.topic.replicationFactor ?? d.models?.topic?.replication_factor ?? d.topic?.replication_factor;
  if (partitions !== undefined) t.partitions = partitions;
  if (rf !== undefined) t.replicationFactor = rf;
  return t;
}

/** Models whose output is a topic that consumers read: real topics and Gateway virtual topics. */
function writesTopic(m: ResolvedModel): 'real' | 'virtual' | undefined {
  if (m.materialized === 'flink' || m.materialized === 'topic') return 'real';
  if (m.materialized === 'virtual_topic') return 'virtual';
  return undefined;
}

export function checkRules(resolved: ResolvedProject): Diagnostic[] {
  const { project } = resolved;
  const rules = project.rules;
  const out: Diagnostic[] = [];
  const topicRules = rules.topics ?? {};
  const modelRules = rules.models ?? {};
  const sourceRules = rules.sources ?? {};
  const securityRules = rules.security ?? {};
  const ruleLoc = (path: (string | number)[]) => project.rulesAt(path);
  // The hint names the rule's own line in stream_project.yml, e.g. `rules.models.require_owner`.
  const fail = (code: string, node: SourceNode | ModelNode, message: string, hint: string, path: (string | number)[] = []) =>
    out.push(error(code, message, { ...node.at(path, path.length ? 'value' : 'value'), node: node.id, hint: `${hint} (rule at ${fmt(project.rulesAt(ruleKey(code, node.kind), 'key'))})` }));

  for (const m of resolved.models.values()) {
    const node = m.node;
    const kind = writesTopic(m);
    if (kind) {
      const t = effectiveTopic(node, project);
      const topicPath = node.topic.name ? ['topic', 'name'] : ['name'];
      if (topicRules.naming_pattern !== undefined) {
        let re: RegExp | undefined;
        try {
          re = new RegExp(`^(?:${topicRules.naming_pattern})$`);
        } catch {
          out.push(error('INVALID_RULE', `rules.topics.naming_pattern is not a valid regular expression`, { ...ruleLoc(['topics', 'naming_pattern']) }));
        }
        if (re && !re.test(t.name)) fail('RULE_NAMING_PATTERN', node, `Topic name "${t.name}" of model "${node.name}" does not match the naming pattern ${topicRules.naming_pattern}`, 'rename the topic with topic.name', topicPath);
      }
      for (const prefix of topicRules.forbidden_prefixes ?? []) {
        if (t.name.startsWith(prefix)) fail('RULE_FORBIDDEN_PREFIX', node, `Topic name "${t.name}" of model "${node.name}" starts with the forbidden prefix "${prefix}"`, 'choose another topic name', topicPath);
      }
      for (const suffix of topicRules.forbidden_suffixes ?? []) {
        if (t.name.endsWith(suffix)) fail('RULE_FORBIDDEN_SUFFIX', node, `Topic name "${t.name}" of model "${node.name}" ends with the forbidden suffix "${suffix}"`, 'choose another topic name', topicPath);
      }
      if (kind === 'real') {
        const pPath = node.topic.partitions !== undefined ? ['topic', 'partitions'] : [];
        if (topicRules.min_partitions !== undefined) {
          if (t.partitions === undefined)
            fail('RULE_MIN_PARTITIONS', node, `Model "${node.name}" does not set partitions; rule topics.min_partitions requires >= ${topicRules.min_partitions}`, 'set topic.partitions on the model or defaults.topic.partitions');
          else if (t.partitions < topicRules.min_partitions)
            fail('RULE_MIN_PARTITIONS', node, `Model "${node.name}" violates rule topics.min_partitions: expected >= ${topicRules.min_partitions}, got ${t.partitions}`, `set topic.partitions to at least ${topicRules.min_partitions}`, pPath);
        }
        if (topicRules.max_partitions !== undefined && t.partitions !== undefined && t.partitions > topicRules.max_partitions)
          fail('RULE_MAX_PARTITIONS', node, `Model "${node.name}" violates rule topics.max_partitions: expected <= ${topicRules.max_partitions}, got ${t.partitions}`, `set topic.partitions to at most ${topicRules.max_partitions}`, pPath);
        const rPath = node.topic.replicationFactor !== undefined ? ['topic', 'replication_factor'] : [];
        if (topicRules.min_replication_factor !== undefined) {
          if (t.replicationFactor === undefined)
            fail('RULE_MIN_REPLICATION', node, `Model "${node.name}" does not set a replication factor; rule topics.min_replication_factor requires >= ${topicRules.min_replication_factor}`, 'set topic.replication_factor or defaults.topic.replication_factor');
          else if (t.replicationFactor < topicRules.min_replication_factor)
            fail('RULE_MIN_REPLICATION', node, `Model "${node.name}" violates rule topics.min_replication_factor: expected >= ${topicRules.min_replication_factor}, got ${t.replicationFactor}`, `raise the replication factor to ${topicRules.min_replication_factor}`, rPath);
        }
        if (topicRules.max_replication_factor !== undefined && t.replicationFactor !== undefined && t.replicationFactor > topicRules.max_replication_factor)
          fail('RULE_MAX_REPLICATION', node, `Model "${node.name}" violates rule topics.max_replication_factor: expected <= ${topicRules.max_replication_factor}, got ${t.replicationFactor}`, `lower the replication factor to ${topicRules.max_replication_factor}`, rPath);
        for (const key of topicRules.required_config ?? []) {
          if (!hasOwn(t.config, key))
            fail('RULE_REQUIRED_CONFIG', node, `Topic "${t.name}" of model "${node.name}" does not set the required config "${key}"`, `add topic.config.${key} (or defaults.topic.config.${key})`);
        }
      }
    }
    if (modelRules.require_description && !node.description?.trim())
      fail('RULE_REQUIRE_DESCRIPTION', node, `Model "${node.name}" has no description (rule models.require_description)`, 'add description:');
    if (modelRules.require_owner && !node.owner?.trim())
      fail('RULE_REQUIRE_OWNER', node, `Model "${node.name}" has no owner (rule models.require_owner)`, 'add owner: <team>');
    if (modelRules.require_tests && !project.tests.some((t) => t.target === node.name))
      fail('RULE_REQUIRE_TESTS', node, `Model "${node.name}" has no test (rule models.require_tests)`, 'add a test with model: ' + node.name);
    if (modelRules.max_dependencies !== undefined && m.inputs.length > modelRules.max_dependencies)
      fail('RULE_MAX_DEPENDENCIES', node, `Model "${node.name}" has ${m.inputs.length} inputs; rule models.max_dependencies allows ${modelRules.max_dependencies}`, 'split the model');
    if (modelRules.allowed_materializations && !modelRules.allowed_materializations.includes(m.materialized))
      fail('RULE_ALLOWED_MATERIALIZATIONS', node, `Model "${node.name}" is materialized as ${m.materialized}; rule models.allowed_materializations allows ${modelRules.allowed_materializations.join(', ')}`, 'change materialized:');
    for (const tag of modelRules.required_tags ?? []) {
      if (!node.tags.includes(tag)) fail('RULE_REQUIRED_TAGS', node, `Model "${node.name}" lacks the required tag "${tag}"`, `add "${tag}" to tags:`);
    }
  }

  for (const s of project.sources) {
    if (!resolved.nodes.has(s.id)) continue;
    if (sourceRules.require_schema && !s.schema) fail('RULE_REQUIRE_SCHEMA', s, `Source "${s.name}" has no schema (rule sources.require_schema)`, 'add schema: {subject: ...} or schema_ref:');
    if (sourceRules.require_freshness && !s.freshness) fail('RULE_REQUIRE_FRESHNESS', s, `Source "${s.name}" has no freshness SLA (rule sources.require_freshness)`, 'add freshness: {max_lag_seconds: ...}');
    if (sourceRules.require_description && !s.description?.trim()) fail('RULE_REQUIRE_DESCRIPTION', s, `Source "${s.name}" has no description (rule sources.require_description)`, 'add description:');
    if (sourceRules.require_owner && !s.owner?.trim()) fail('RULE_REQUIRE_OWNER', s, `Source "${s.name}" has no owner (rule sources.require_owner)`, 'add owner: <team>');
    if (sourceRules.require_columns && !s.columns.length) fail('RULE_REQUIRE_COLUMNS', s, `Source "${s.name}" declares no columns (rule sources.require_columns)`, 'add columns:');
  }

  if (securityRules.require_classification) {
    for (const s of project.sources) {
      if (!s.columns.length) {
        fail('RULE_REQUIRE_CLASSIFICATION', s, `Source "${s.name}" declares no columns, so its data is not classified (rule security.require_classification)`, 'declare columns: with a classification each');
      }
      s.columns.forEach((c, i) => {
        if (!c.classification) fail('RULE_REQUIRE_CLASSIFICATION', s, `Column "${c.name}" of source "${s.name}" has no classification`, 'add classification: public | internal | confidential | sensitive | highly_sensitive', ['columns', i, 'name']);
      });
    }
    // Model columns are classified by what they derive from (propagated), or by a declaration.
    for (const m of resolved.models.values()) {
      for (const c of outputColumns(m).map((name) => ({ name }))) {
        const cls = own(m.columnClasses, c.name);
        if (cls?.classification) continue;
        fail('RULE_REQUIRE_CLASSIFICATION', m.node, `Column "${c.name}" of model "${m.node.name}" has no classification: ${cls?.reason ?? 'its lineage is unknown'}`, 'classify the input columns it derives from, or add security.classification: {' + c.name + ': ...} to the model', columnPath(m, c.name));
      }
    }
  }

  if (securityRules.sensitive_columns_require_masking) out.push(...checkMasking(resolved));

  if (securityRules.allowed_classifications) {
    const allowed = securityRules.allowed_classifications;
    for (const m of resolved.models.values()) {
      const list = Array.isArray(allowed) ? allowed : allowed[m.node.access];
      if (!list) continue;
      const scope = Array.isArray(allowed) ? 'every model' : `${m.node.access} models`;
      for (const c of outputColumns(m).map((name) => ({ name }))) {
        const cls = own(m.columnClasses, c.name);
        const level = cls?.classification;
        if (level && (list as string[]).includes(level)) continue;
        fail(
          'RULE_ALLOWED_CLASSIFICATIONS',
          m.node,
          level
            ? `Column "${c.name}" of ${m.node.access} model "${m.node.name}" is ${level} (${cls!.reason}); rule security.allowed_classifications allows ${list.join(', ')} for ${scope}`
            : `Column "${c.name}" of ${m.node.access} model "${m.node.name}" has no classification (${cls?.reason ?? 'unknown lineage'}); rule security.allowed_classifications allows ${list.join(', ')} for ${scope}`,
          level ? `mask the column (security.policies: [{mask: {column: ${c.name}, method: hash}}]), drop it, or change the model's access` : `classify the columns it derives from`,
          columnPath(m, c.name),
        );
      }
    }
  }

  if (securityRules.pii_column_patterns?.length) {
    const patterns: RegExp[] = [];
    securityRules.pii_column_patterns.forEach((p, i) => {
      try {
        patterns.push(new RegExp(`^(?:${p})$`, 'i'));
      } catch {
        out.push(error('INVALID_RULE', `rules.security.pii_column_patterns[${i}] is not a valid regular expression`, { ...ruleLoc(['security', 'pii_column_patterns', i]) }));
      }
    });
    const personal = (name: string) => patterns.some((re) => re.test(name));
    const isSensitive = (c: string | undefined) => c === 'sensitive' || c === 'highly_sensitive';
    for (const s of project.sources) {
      if (!resolved.nodes.has(s.id)) continue;
      s.columns.forEach((c, i) => {
        if (personal(c.name) && !isSensitive(c.classification))
          fail('RULE_PII_COLUMN_PATTERN', s, `Column "${c.name}" of source "${s.name}" looks like personal data (rule security.pii_column_patterns) but is classified ${c.classification ?? 'nowhere'}`, 'classify it sensitive or highly_sensitive', ['columns', i, 'name']);
      });
    }
    for (const m of resolved.models.values()) {
      for (const c of outputColumns(m).map((name) => ({ name }))) {
        // Before the model's own masks: the column holds personal data that a mask then protects.
        const cls = own(m.columnClasses, c.name);
        if (personal(c.name) && !isSensitive(cls?.unmasked))
          fail('RULE_PII_COLUMN_PATTERN', m.node, `Column "${c.name}" of model "${m.node.name}" looks like personal data (rule security.pii_column_patterns) but is classified ${cls?.unmasked ?? 'nowhere'} (${cls?.reason ?? 'unknown lineage'})`, `classify it (security.classification: {${c.name}: sensitive}) or the input column it derives from`, columnPath(m, c.name));
      }
    }
  }
  return out;
}

/** Where a model's output column is written: its declaration, its classification, else the SQL. */
function columnPath(m: ResolvedModel, name: string): (string | number)[] {
  const i = m.node.columns.findIndex((c) => c.name === name);
  if (i >= 0) return ['columns', i, 'name'];
  if (own(m.node.classification, name) && !m.node.columns.length) return ['security', 'classification', name];
  return m.node.sql !== undefined ? ['sql'] : [];
}

function fmt(loc: { file: string; line: number }): string {
  return `${loc.file}:${loc.line}`;
}

const RULE_KEYS: Record<string, string[]> = {
  RULE_NAMING_PATTERN: ['topics', 'naming_pattern'],
  RULE_FORBIDDEN_PREFIX: ['topics', 'forbidden_prefixes'],
  RULE_FORBIDDEN_SUFFIX: ['topics', 'forbidden_suffixes'],
  RULE_MIN_PARTITIONS: ['topics', 'min_partitions'],
  RULE_MAX_PARTITIONS: ['topics', 'max_partitions'],
  RULE_MIN_REPLICATION: ['topics', 'min_replication_factor'],
  RULE_MAX_REPLICATION: ['topics', 'max_replication_factor'],
  RULE_REQUIRED_CONFIG: ['topics', 'required_config'],
  RULE_REQUIRE_TESTS: ['models', 'require_tests'],
  RULE_MAX_DEPENDENCIES: ['models', 'max_dependencies'],
  RULE_ALLOWED_MATERIALIZATIONS: ['models', 'allowed_materializations'],
  RULE_REQUIRED_TAGS: ['models', 'required_tags'],
  RULE_REQUIRE_SCHEMA: ['sources', 'require_schema'],
  RULE_REQUIRE_FRESHNESS: ['sources', 'require_freshness'],
  RULE_REQUIRE_COLUMNS: ['sources', 'require_columns'],
  RULE_REQUIRE_CLASSIFICATION: ['security', 'require_classification'],
  RULE_SENSITIVE_REQUIRES_MASKING: ['security', 'sensitive_columns_require_masking'],
  RULE_ALLOWED_CLASSIFICATIONS: ['security', 'allowed_classifications'],
  RULE_PII_COLUMN_PATTERN: ['security', 'pii_column_patterns'],
};

/** The path under rules: of the rule a code reports (require_owner/description exist for models and sources). */
function ruleKey(code: string, kind: string): string[] {
  if (code === 'RULE_REQUIRE_OWNER') return [kind === 'source' ? 'sources' : 'models', 'require_owner'];
  if (code === 'RULE_REQUIRE_DESCRIPTION') return [kind === 'source' ? 'sources' : 'models', 'require_description'];
  return RULE_KEYS[code] ?? [];
}

/**
 * A column that holds sensitive data must be protected where the model writes it: masked in the
 * data (which lowers what every reader downstream inherits), masked or encrypted at read by the
 * Gateway, or encrypted. What it holds is its propagated classification before the model's own
 * masks, so a column derived from a sensitive one (`UPPER(card_number) AS c`) is caught, and one
 * derived from a column an upstream model masked in its data is not.
 */
function checkMasking(resolved: ResolvedProject): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sensitive = (c: string | undefined) => c === 'sensitive' || c === 'highly_sensitive';
  for (const m of resolved.models.values()) {
    for (const c of outputColumns(m).map((name) => ({ name }))) {
      const cls = own(m.columnClasses, c.name);
      if (!cls || !sensitive(cls.unmasked)) continue;
      if (cls.masked || cls.encrypted || cls.maskedAtReadFor?.length) continue;
      out.push(
        error('RULE_SENSITIVE_REQUIRES_MASKING', `Model "${m.node.name}" exposes ${cls.unmasked} column "${c.name}" (${cls.reason}) without masking`, {
          ...m.node.at(columnPath(m, c.name)),
          node: m.node.id,
          hint: `add security.policies: [{mask: {column: ${c.name}, method: hash}}], or drop the column from the SELECT (rule at ${fmt(resolved.project.rulesAt(ruleKey('RULE_SENSITIVE_REQUIRES_MASKING', 'model'), 'key'))})`,
        }),
      );
    }
  }
  return out;
}
