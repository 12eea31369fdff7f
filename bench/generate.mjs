#!/usr/bin/env node
// Generates a synthetic streamt project with N models: node bench/generate.mjs <models> <dir>
// Models form layers that read sources or earlier models, mixing filters, aggregations and joins,
// so every phase (templates, SQL analysis, DAG, rules) does real work.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function generateProject(models, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(join(dir, 'sources'), { recursive: true });
  mkdirSync(join(dir, 'tests'), { recursive: true });
  mkdirSync(join(dir, 'exposures'), { recursive: true });
  writeFileSync(
    join(dir, 'stream_project.yml'),
    `project:\n  name: bench_${models}\nruntime:\n  kafka:\n    bootstrap_servers: localhost:9092\n  flink:\n    default: local\n    clusters:\n      local:\n        rest_url: http://localhost:8082\n        sql_gateway_url: http://localhost:8084\n  connect:\n    default: local\n    clusters:\n      local:\n        rest_url: http://localhost:8083\ndefaults:\n  topic:\n    partitions: 3\n    replication_factor: 1\nrules:\n  topics:\n    min_partitions: 1\n    naming_pattern: "[a-z][a-z0-9_.]*"\n  models:\n    require_owner: true\n    require_description: true\n`,
  );
  const sourceCount = Math.max(2, Math.ceil(models / 100));
  let sources = 'sources:\n';
  for (let s = 0; s < sourceCount; s++) {
    sources += `  - name: src_${s}\n    topic: raw.src_${s}.v1\n    owner: team-${s % 7}\n    columns:\n      - {name: id, type: STRING}\n      - {name: customer_id, type: STRING}\n      - {name: amount, type: BIGINT}\n      - {name: status, type: STRING}\n      - {name: ts, type: TIMESTAMP(3)}\n    event_time:\n      column: ts\n`;
  }
  writeFileSync(join(dir, 'sources', 'sources.yml'), sources);
  const perFile = 100;
  let tests = 'tests:\n';
  for (let f = 0; f * perFile < models; f++) {
    let text = 'models:\n';
    for (let i = f * perFile; i < Math.min(models, (f + 1) * perFile); i++) {
      let parent = Math.floor(i / 2);
      while (parent % 4 === 2 && parent >= sourceCount * 2) parent--;
      const input = i < sourceCount * 2 ? `{{ source("src_${i % sourceCount}") }}` : `{{ ref("m_${parent}") }}`;
      const kind = i % 4;
      let sql;
      if (kind === 0 || i < sourceCount * 2) sql = `SELECT id, customer_id, amount, status, ts FROM ${input} WHERE amount > ${i} AND status <> 'X'`;
      else if (kind === 1) sql = `SELECT id, customer_id, amount * 2 AS amount, UPPER(status) AS status, ts FROM ${input}`;
      else if (kind === 2) sql = `SELECT customer_id, window_start, window_end, COUNT(*) AS n, SUM(amount) AS amount FROM TABLE(TUMBLE(TABLE ${input}, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY customer_id, window_start, window_end`;
      else sql = `SELECT id, customer_id, amount, status, ts FROM ${input} WHERE status IN ('A', 'B') -- comment with GROUP BY`;
      // Aggregated models have no id/ts; only filters and projections feed further models.
      const name = kind === 2 && i >= sourceCount * 2 ? `agg_${i}` : `m_${i}`;
      text += `  - name: ${name}\n    description: "Synthetic model ${i}"\n    owner: team-${i % 7}\n    tags: [layer_${i % 5}]\n    sql: |\n      ${sql}\n`;
      if (i % 10 === 0 && name.startsWith('m_')) tests += `  - name: t_${i}\n    model: ${name}\n    type: sample\n    assertions:\n      - not_null: {columns: [id]}\n`;
    }
    writeFileSync(join(dir, 'models', `models_${String(f).padStart(4, '0')}.yml`), text);
  }
  writeFileSync(join(dir, 'tests', 'tests.yml'), tests);
  writeFileSync(join(dir, 'exposures', 'exposures.yml'), `exposures:\n  - name: dashboard\n    type: dashboard\n    depends_on: [m_0]\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [models = '100', dir = `bench/.projects/p${models}`] = process.argv.slice(2);
  generateProject(Number(models), dir);
  console.log(`generated ${models} models in ${dir}`);
}
