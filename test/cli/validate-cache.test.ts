/**
 * Incremental validate (issue 15, item 4): with its cache (.streamt/cache/validate.bin) validate
 * reports exactly what it reports without it, whatever changed since the cache was written, and
 * a cache it cannot trust is ignored and rewritten.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageVersion, run } from '../../src/cli/main.js';
import { buildStamp, cachePath, memoPath, readMemos, readValidateCache, writeValidateCache } from '../../src/cli/validate-cache.js';
import { BIN, REPO } from './helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function validate(dir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const stream = (append: (s: string) => void) => ({ write: (s: string) => (append(String(s)), true), isTTY: false }) as unknown as NodeJS.WritableStream;
  const code = await run(['validate', '-p', dir, ...extra], { stdout: stream((s) => (stdout += s)), stderr: stream((s) => (stderr += s)), env: { NO_COLOR: '1', ...env } });
  return { code, stdout, stderr };
}

/** The same run three ways: without the cache, with the cache as the last run left it, and once more (the cache now current). */
async function expectSameEverywhere(dir: string, env: Record<string, string> = {}): Promise<Run[]> {
  const out: Run[] = [];
  for (const extra of [['--format', 'json'], ['--verbose'], []]) {
    const cold = await validate(dir, [...extra, '--no-cache'], env);
    const warm = await validate(dir, extra, env);
    const again = await validate(dir, extra, env);
    expect(warm).toEqual(cold);
    expect(again).toEqual(cold);
    out.push(cold);
  }
  return out;
}

function copy(src: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'streamt-cache-')), 'project');
  cpSync(src, dir, { recursive: true, filter: (p) => !p.includes('.streamt') });
  return dir;
}

const edit = (dir: string, file: string, change: (text: string) => string) => {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
  writeFileSync(path, after);
};

const diagnosticCodes = (r: Run) => (JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code);

const EXAMPLE = join(REPO, 'examples', 'payments');

/** Adds a models file of `n` models reading the example's first model. */
function addModels(dir: string, n: number): void {
  const models = Array.from({ length: n }, (_, i) =>
    [`  - name: many_${i}`, `    description: "Generated model ${i}"`, '    owner: team-payments', '    tags: [payments]', '    sql: |', `      SELECT payment_id, customer_id, amount_cents FROM {{ ref("payments_clean") }} WHERE amount_cents > ${i}`].join('\n'),
  );
  writeFileSync(join(dir, 'models', 'many.yml'), `models:\n${models.join('\n')}\n`);
}

/** The records of a memo.log (u32 length, sha256 of the payload, the payload), checked whole to the end. */
function recordCount(b: Buffer): number {
  let at = 0;
  let n = 0;
  while (at < b.length) {
    const end = at + 36 + b.readUInt32LE(at);
    expect(end).toBeLessThanOrEqual(b.length);
    expect(createHash('sha256').update(b.subarray(at + 36, end)).digest()).toEqual(b.subarray(at + 4, at + 36));
    at = end;
    n++;
  }
  return n;
}

describe('validate with its cache reports what it reports without it', () => {
  it('on every fixture, golden case and example, cold and warm', async () => {
    const roots = ['test/fixtures/malformed', 'test/golden/cases', 'examples'].map((r) => join(REPO, r));
    for (const root of roots) {
      for (const name of readdirSync(root).sort()) {
        if (!statSync(join(root, name)).isDirectory()) continue;
        const dir = copy(join(root, name));
        await expectSameEverywhere(dir);
      }
    }
  });

  it("after an edit of a model's SQL, of a column a downstream model reads, of the project file, and after files are deleted and added", async () => {
    const dir = copy(EXAMPLE);
    await expectSameEverywhere(dir);
    expect(existsSync(cachePath(dir))).toBe(true);

    // A model's SQL: a filter more.
    edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 0', 'AND amount_cents > 10'));
    const [sql] = await expectSameEverywhere(dir);
    expect(sql!.code).toBe(0);

    // Rename a column that downstream models read: their analysis must change too.
    edit(dir, 'models/payments.yml', (t) => t.replace('        customer_id,\n        SUBSTR', '        customer_id AS customer,\n        SUBSTR'));
    const [renamed] = await expectSameEverywhere(dir);
    expect(renamed!.code).toBe(1);
    expect(diagnosticCodes(renamed!)).toContain('SQL_UNKNOWN_COLUMN');

    // And back: the remembered analyses of the first state are right again.
    edit(dir, 'models/payments.yml', (t) => t.replace('customer_id AS customer,', 'customer_id,'));
    expect((await expectSameEverywhere(dir))[0]!.code).toBe(0);

    // The project file: its name, and a governance rule.
    edit(dir, 'stream_project.yml', (t) => t.replace(/name: [a-z_-]+/, 'name: renamed-project'));
    await expectSameEverywhere(dir);

    // A governance rule: every model now needs a tag it does not have; then back.
    edit(dir, 'stream_project.yml', (t) => t.replace('    require_owner: true', '    require_owner: true\n    require_tests: true\n    required_tags: [tier]'));
    await expectSameEverywhere(dir);
    edit(dir, 'stream_project.yml', (t) => t.replace('\n    require_tests: true\n    required_tags: [tier]', ''));
    await expectSameEverywhere(dir);

    // A test: an assertion on a column that does not exist, then a model it names that does not.
    edit(dir, 'tests/payments.yml', (t) => t.replace('column: status', 'column: state'));
    await expectSameEverywhere(dir);
    edit(dir, 'tests/payments.yml', (t) => t.replace('model: payments_clean', 'model: payments_clena'));
    const [test] = await expectSameEverywhere(dir);
    expect(test!.code).toBe(1);

    // An exposure: it reads a model that does not exist, then one that does.
    edit(dir, 'exposures/apps.yml', (t) => t.replace('- ref: high_risk_payments', '- ref: high_risk_paymentz'));
    const [exposure] = await expectSameEverywhere(dir);
    expect(exposure!.code).toBe(1);
    edit(dir, 'exposures/apps.yml', (t) => t.replace('- ref: high_risk_paymentz', '- ref: payments_clean'));
    await expectSameEverywhere(dir);

    // The same entry moved within its file: its diagnostics' positions move with it.
    edit(dir, 'models/payments.yml', (t) => `# a comment above every model\n\n${t}`);
    await expectSameEverywhere(dir);

    // A file deleted (the tests), then one added (a model reading a column that does not exist).
    rmSync(join(dir, 'tests'), { recursive: true });
    await expectSameEverywhere(dir);
    writeFileSync(join(dir, 'models', 'extra.yml'), 'models:\n  - name: extra\n    sql: SELECT nope FROM {{ ref("payments_clean") }}\n');
    const [added] = await expectSameEverywhere(dir);
    expect(diagnosticCodes(added!)).toContain('SQL_UNKNOWN_COLUMN');
  });

  it("after edits that change what the compile and the classification report of a model and of the models downstream (both remembered per model)", async () => {
    const dir = copy(EXAMPLE);
    const [clean] = await expectSameEverywhere(dir);
    const stamp = buildStamp(packageVersion());
    const parts = () => readMemos(dir, stamp).compiled;
    // A first run does not remember them; the run after an edit does.
    expect(parts().size).toBe(0);
    edit(dir, 'models/payments.yml', (t) => t.replace("OR risk_band = 'HIGH'", "OR risk_band = 'MEDIUM'"));
    await expectSameEverywhere(dir);
    const first = parts();
    expect(first.size).toBeGreaterThan(0);

    // A leaf model's SQL: its part alone is compiled again (every other key is the same).
    edit(dir, 'models/payments.yml', (t) => t.replace("OR risk_band = 'MEDIUM'", "OR risk_band = 'VERY_HIGH'"));
    await expectSameEverywhere(dir);
    const second = parts();
    for (const [k, v] of first) expect(second.get(k)).toBe(v);
    expect(second.size).toBe(first.size + 1);

    // An upstream model's output column renamed: a downstream job's input columns change.
    edit(dir, 'models/payments.yml', (t) => t.replace('        currency,\n        status,', '        currency AS currency_code,\n        status,'));
    const [renamed] = await expectSameEverywhere(dir);
    expect(renamed!.code).toBe(1);
    edit(dir, 'models/payments.yml', (t) => t.replace('currency AS currency_code,', 'currency,'));
    expect((await expectSameEverywhere(dir))[0]!.code).toBe(0);

    // A classification the models downstream inherit (their lineage and classification are
    // remembered too): the rule on sensitive columns now fails downstream.
    edit(dir, 'sources/payments.yml', (t) => t.replace(/(- name: merchant_id\n\s+classification:) internal/, '$1 highly_sensitive'));
    const [inherited] = await expectSameEverywhere(dir);
    expect(inherited!.stdout).not.toBe(clean!.stdout);
    expect(readMemos(dir, stamp).lineage.size).toBeGreaterThan(0);
    edit(dir, 'sources/payments.yml', (t) => t.replace(/(- name: merchant_id\n\s+classification:) highly_sensitive/, '$1 internal'));
    await expectSameEverywhere(dir);

    // Runtime settings the compile reads: Avro output, then no registry for it.
    edit(dir, 'stream_project.yml', (t) => t.replace('    output_format: json', '    output_format: avro'));
    await expectSameEverywhere(dir);
    edit(dir, 'stream_project.yml', (t) => t.replace(/  schema_registry:\n    url: .*\n/, ''));
    const [noRegistry] = await expectSameEverywhere(dir);
    expect(diagnosticCodes(noRegistry!)).toContain('MODEL_OUTPUT_FORMAT_NO_REGISTRY');
    edit(dir, 'stream_project.yml', (t) => t.replace('    output_format: avro', '    output_format: json'));
    expect((await expectSameEverywhere(dir))[0]!.code).toBe(0);

    // Two models writing one topic, by an edit of one of them: both parts are remembered, the
    // duplicate is found across them.
    edit(dir, 'models/payments.yml', (t) => t.replace('  - name: customer_totals\n', '  - name: customer_totals\n    topic:\n      name: customer_spend_5m\n'));
    const [duplicate] = await expectSameEverywhere(dir);
    expect(diagnosticCodes(duplicate!)).toContain('DUPLICATE_ARTIFACT');
    edit(dir, 'models/payments.yml', (t) => t.replace('    topic:\n      name: customer_spend_5m\n', ''));
    expect((await expectSameEverywhere(dir))[0]!.code).toBe(0);

    // A key that is no output column, then a governance rule the models no longer meet.
    edit(dir, 'models/payments.yml', (t) => t.replace('    key: customer_id\n    sql: |\n      SELECT customer_id, COUNT', '    key: customer\n    sql: |\n      SELECT customer_id, COUNT'));
    const [key] = await expectSameEverywhere(dir);
    expect(key!.code).toBe(1);
    edit(dir, 'models/payments.yml', (t) => t.replace('    key: customer\n', '    key: customer_id\n'));
    edit(dir, 'stream_project.yml', (t) => t.replace('    max_dependencies: 3', '    max_dependencies: 1'));
    const [rule] = await expectSameEverywhere(dir);
    expect(rule!.code).toBe(1);
    edit(dir, 'stream_project.yml', (t) => t.replace('    max_dependencies: 1', '    max_dependencies: 3'));

    // How an input is materialized, changed by an edit of the input alone: with a Gateway, a
    // stateless model becomes a virtual topic, which the Flink job reading it cannot reach.
    edit(dir, 'stream_project.yml', (t) => t.replace('  connect:\n', '  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n  connect:\n'));
    writeFileSync(
      join(dir, 'models', 'extra.yml'),
      'models:\n  - name: vt_payments\n    description: "Positive payments"\n    owner: team-payments\n    materialized: flink\n    sql: SELECT payment_id, customer_id, amount_cents, event_time FROM {{ source("card_payments_raw") }} WHERE amount_cents > 0\n' +
        '  - name: vt_totals\n    description: "Totals"\n    owner: team-payments\n    key: customer_id\n    sql: SELECT customer_id, SUM(amount_cents) AS total FROM {{ ref("vt_payments") }} GROUP BY customer_id\n',
    );
    expect((await expectSameEverywhere(dir))[0]!.code).toBe(0);
    edit(dir, 'models/extra.yml', (t) => t.replace('    materialized: flink\n', ''));
    const [unreachable] = await expectSameEverywhere(dir);
    expect(diagnosticCodes(unreachable!)).toContain('VIRTUAL_TOPIC_NOT_REACHABLE');
  });

  it("with Kafka ACLs managed: the remembered compile parts give the ACL compile every model's clients", async () => {
    const dir = copy(EXAMPLE);
    edit(dir, 'stream_project.yml', (t) => t.replace(/(    bootstrap_servers: .*\n)/, '$1    acls:\n      roles:\n        fraud-engine: User:fraud-scoring\n'));
    const [first] = await expectSameEverywhere(dir);
    expect(diagnosticCodes(first!)).toContain('ACL_PRINCIPAL_UNKNOWN');
    // The first run after an edit remembers the parts (a first run does not), the next replays them.
    for (const [from, to] of [['HIGH', 'VERY_HIGH'], ['VERY_HIGH', 'MEDIUM']]) {
      edit(dir, 'models/payments.yml', (t) => t.replace(`OR risk_band = '${from}'`, `OR risk_band = '${to}'`));
      const [leaf] = await expectSameEverywhere(dir);
      expect(leaf!.stdout).toBe(first!.stdout);
    }
    edit(dir, 'models/payments.yml', (t) => t.replace('  - name: customer_spend_5m\n', '  - name: customer_spend_5m\n    flink_cluster: other\n'));
    await expectSameEverywhere(dir);
  });

  it('after a change of a source schema and of the schema lock', async () => {
    const dir = copy(join(REPO, 'test', 'golden', 'cases', 'schemas'));
    await expectSameEverywhere(dir);
    edit(dir, 'schemas.lock.yml', (t) => t.replace('"name": "amount_cents"', '"name": "amount"'));
    const [lock] = await expectSameEverywhere(dir);
    expect(lock!.code).toBe(1);
    edit(dir, 'schemas.lock.yml', (t) => t.replace('"name": "amount"', '"name": "amount_cents"'));
    expect((await expectSameEverywhere(dir))[0]!.code).toBe(0);

    const example = copy(EXAMPLE);
    await expectSameEverywhere(example);
    edit(example, 'sources/payments.yml', (t) => t.replace(/- name: amount_cents/, '- name: amount'));
    expect((await expectSameEverywhere(example))[0]!.code).toBe(1);
  });

  it('after a change of an environment variable the files name, of --vars and of --env', async () => {
    const dir = copy(EXAMPLE);
    edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 0', "AND amount_cents > {{ var('min_amount', 0) }} AND currency <> '${SKIP_CURRENCY:-XXX}'"));
    await expectSameEverywhere(dir, { SKIP_CURRENCY: 'EUR' });
    await expectSameEverywhere(dir, { SKIP_CURRENCY: 'USD' });
    for (const vars of ['{min_amount: 5}', '{min_amount: "x"}']) {
      const cold = await validate(dir, ['--vars', vars, '--no-cache', '--format', 'json']);
      expect(await validate(dir, ['--vars', vars, '--format', 'json'])).toEqual(cold);
      expect(await validate(dir, ['--vars', vars, '--format', 'json'])).toEqual(cold);
    }
    const cold = await validate(dir, ['--env', 'prod', '--no-cache']);
    expect(cold.code).toBe(1);
    expect(await validate(dir, ['--env', 'prod'])).toEqual(cold);
  });
});

/** Fails when a cache file holds a value, or its sha256 in hex, base64 or base64url. */
function expectNoSecretInCache(dir: string, values: string[]): void {
  const cache = join(dir, '.streamt', 'cache');
  for (const file of readdirSync(cache)) {
    const bytes = readFileSync(join(cache, file));
    for (const value of values) {
      const digest = createHash('sha256').update(value).digest();
      for (const form of [value, JSON.stringify(value).slice(1, -1), digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')]) {
        expect(bytes.includes(form), `${file} holds ${form}`).toBe(false);
      }
    }
  }
}

describe('validate with a secret vault that is not empty (variables named like secrets in the environment)', () => {
  // What a developer's shell and a CI runner hold: SecretVault knows both values.
  const SHELL = { SSH_AUTH_SOCK: '/tmp/ssh-XXXXq1w2e3/agent.4242', GITHUB_TOKEN: 'ghs_16C7e42F292c6912E7710c838347Ae178B4a' };

  it("remembers the models' compile parts and replays them after an edit, with none of the values in the cache", async () => {
    const dir = copy(EXAMPLE);
    addModels(dir, 60);
    const [first] = await expectSameEverywhere(dir, SHELL);
    // The vault changes nothing in what validate reports.
    expect(await validate(dir, ['--format', 'json', '--no-cache'])).toEqual(first);
    const stamp = buildStamp(packageVersion());
    // The run after an edit remembers the compile parts (a first run does not), the next replays them.
    edit(dir, 'models/many.yml', (t) => t.replace('amount_cents > 30', 'amount_cents > 31'));
    await expectSameEverywhere(dir, SHELL);
    const second = readMemos(dir, stamp);
    expect(second.compiled.size).toBeGreaterThan(60);
    edit(dir, 'models/many.yml', (t) => t.replace('amount_cents > 31', 'amount_cents > 32'));
    await expectSameEverywhere(dir, SHELL);
    const third = readMemos(dir, stamp);
    // The edited model's values are appended, not every model's compile part again.
    expect(third.compiled.size - second.compiled.size).toBeGreaterThan(0);
    expect(third.compiled.size - second.compiled.size).toBeLessThan(5);
    expect(third.log.entries - second.log.entries).toBeLessThan(second.log.entries / 2);
    expectNoSecretInCache(dir, Object.values(SHELL));
  });

  it("a secret value in a model's topic, in a connector's config, in its consumer group: the same diagnostics cold, warm and without the cache", async () => {
    const dir = copy(EXAMPLE);
    // ACLs managed: the compile reads each part's Kafka clients (their groups and topics).
    edit(dir, 'stream_project.yml', (t) => t.replace(/(    bootstrap_servers: .*\n)/, '$1    acls:\n      roles:\n        fraud-engine: User:fraud-scoring\n'));
    edit(dir, 'models/payments.yml', (t) => t.replace('        insert.mode: upsert\n', '        insert.mode: upsert\n        consumer.override.group.id: finance-exporter\n        errors.deadletterqueue.topic.name: finance-exporter-dlq\n'));
    const plain = await expectSameEverywhere(dir);
    // Values that occur in a topic's name (payments_clean), a connector's config (its table, the
    // group and the dead letter queue it writes), as a whole and inside a longer string.
    const cases: Record<string, string>[] = [
      { DEPLOY_TOKEN: 'payments_clean' },
      { DB_AUTH: 'finance-exporter' },
      { DB_AUTH: 'exporter-dlq', SSH_AUTH_SOCK: SHELL.SSH_AUTH_SOCK },
      { DEPLOY_TOKEN: 'customer_spend' },
    ];
    const stamp = buildStamp(packageVersion());
    for (const env of cases) {
      const before = readMemos(dir, stamp).compiled;
      // Warm after the runs without the variable (parts remembered without it), then after its own runs.
      const runs = await expectSameEverywhere(dir, env);
      expect(runs.map((r) => r.stdout)).toEqual(plain.map((r) => r.stdout));
      edit(dir, 'models/payments.yml', (t) => t.replace(/OR risk_band = '([A-Z_]+)'/, (_, b: string) => `OR risk_band = '${b === 'HIGH' ? 'VERY_HIGH' : 'HIGH'}'`));
      await expectSameEverywhere(dir, env);
      // The values are in the project's own files (and so in the cache), but no compile part the
      // runs with the variable remembered holds one (the parts that read one are compiled each run).
      const added = [...readMemos(dir, stamp).compiled].filter(([k]) => !before.has(k));
      for (const [, part] of added) for (const value of Object.values(env)) expect(part).not.toContain(value);
      expectNoSecretInCache(dir, [SHELL.SSH_AUTH_SOCK]);
      await expectSameEverywhere(dir);
    }
    expect(readMemos(dir, stamp).compiled.size).toBeGreaterThan(0);
  });

  it("a secret variable's value changed between runs: what a cold run with the new value reports", async () => {
    const dir = copy(EXAMPLE);
    addModels(dir, 20);
    edit(dir, 'models/payments.yml', (t) => t.replace('        insert.mode: upsert\n', '        insert.mode: upsert\n        consumer.override.group.id: many_1-exporter\n'));
    const values = ['first-secret-value', 'many_1', 'many_1-exporter', 'payments_enriched', 'second-secret-value', 'many_1'];
    for (const value of values) {
      const env = { ...SHELL, GITHUB_TOKEN: value };
      await expectSameEverywhere(dir, env);
      edit(dir, 'models/many.yml', (t) => t.replace(/amount_cents > 1([0-9]*)\n/, (_, d: string) => `amount_cents > 1${d}0\n`));
      await expectSameEverywhere(dir, env);
    }
    // Values that are not in the project's files are nowhere in the cache.
    expectNoSecretInCache(dir, ['first-secret-value', 'second-secret-value', ...Object.values(SHELL)]);
  });
});

describe('a cache validate cannot trust is ignored and rewritten', () => {
  const damages: Record<string, (bytes: Buffer) => Buffer> = {
    corrupted: (b) => {
      const c = Buffer.from(b);
      c[c.length - 10] = c[c.length - 10]! ^ 0xff;
      return c;
    },
    truncated: (b) => b.subarray(0, Math.floor(b.length / 2)),
    empty: () => Buffer.alloc(0),
    'not a cache': () => Buffer.from('hello, world\n'.repeat(10)),
  };
  for (const [what, damage] of Object.entries(damages)) {
    it(what, async () => {
      const dir = copy(EXAMPLE);
      const [json] = await expectSameEverywhere(dir);
      const good = readFileSync(cachePath(dir));
      writeFileSync(cachePath(dir), damage(good));
      expect(await validate(dir, ['--format', 'json'])).toEqual(json);
      // Rewritten: whole again.
      expect(readFileSync(cachePath(dir))).toEqual(good);
    });
  }

  for (const [what, damage] of Object.entries({ ...damages, 'followed by junk': (b: Buffer) => Buffer.concat([b, Buffer.from('junk')]) })) {
    it(`memo.log ${what}: its whole records only, then rewritten`, async () => {
      const dir = copy(EXAMPLE);
      await expectSameEverywhere(dir);
      const good = readFileSync(memoPath(dir));
      edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 0', 'AND amount_cents > 10'));
      writeFileSync(memoPath(dir), damage(good));
      await expectSameEverywhere(dir);
      const stamp = buildStamp(packageVersion());
      const after = readMemos(dir, stamp);
      expect(after.log.appendable).toBe(true);
      expect(after.analyses.size).toBeGreaterThan(0);
    });
  }

  it('memo.log: an edit appends what it computed, the values before it stay as they were', async () => {
    const dir = copy(EXAMPLE);
    await expectSameEverywhere(dir);
    const before = readFileSync(memoPath(dir));
    const stamp = buildStamp(packageVersion());
    const first = readMemos(dir, stamp);
    edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 0', 'AND amount_cents > 10'));
    await expectSameEverywhere(dir);
    const after = readFileSync(memoPath(dir));
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.subarray(0, before.length)).toEqual(before);
    const second = readMemos(dir, stamp);
    for (const [k, v] of first.analyses) expect(second.analyses.get(k)).toBe(v);
    expect(second.analyses.size).toBeGreaterThan(first.analyses.size);
    // Back to the first state: its lineage and compile parts, which a first run does not
    // remember, are appended; then every value of both states is in the log, nothing is written.
    edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 10', 'AND amount_cents > 0'));
    await expectSameEverywhere(dir);
    const both = readFileSync(memoPath(dir));
    for (const [from, to] of [['> 0', '> 10'], ['> 10', '> 0']]) {
      edit(dir, 'models/payments.yml', (t) => t.replace(`AND amount_cents ${from}`, `AND amount_cents ${to}`));
      await expectSameEverywhere(dir);
      expect(readFileSync(memoPath(dir))).toEqual(both);
    }
  });

  it('memo.log of a first run is written as the values are computed, in records read back whole', async () => {
    const dir = copy(EXAMPLE);
    addModels(dir, 300);
    await expectSameEverywhere(dir);
    expect(readdirSync(join(dir, '.streamt', 'cache')).sort()).toEqual(['memo.log', 'validate.bin']);
    const stamp = buildStamp(packageVersion());
    const first = readMemos(dir, stamp);
    expect(first.log.appendable).toBe(true);
    expect(first.analyses.size).toBeGreaterThanOrEqual(300);
    expect(first.nodes.size).toBeGreaterThanOrEqual(300);
    // Several records (a few hundred kB each), every value once.
    expect(recordCount(readFileSync(memoPath(dir)))).toBeGreaterThan(1);
    expect(first.log.entries).toBe(first.analyses.size + first.nodes.size + first.yamlValues.size + first.compiled.size + first.lineage.size);
    // The run after an edit reuses them and appends what it computed.
    const before = readFileSync(memoPath(dir));
    edit(dir, 'models/many.yml', (t) => t.replace('amount_cents > 150', 'amount_cents > 151'));
    await expectSameEverywhere(dir);
    const after = readFileSync(memoPath(dir));
    expect(after.subarray(0, before.length)).toEqual(before);
    // The first run after it remembers the models' lineage and compile parts too (a first run
    // does not); the next edit appends the edited file's value, its nodes (keyed by the file's
    // text), the edited model's analysis, lineage and compile part, not every value again.
    const second = readMemos(dir, stamp);
    expect(second.compiled.size).toBeGreaterThan(300);
    edit(dir, 'models/many.yml', (t) => t.replace('amount_cents > 151', 'amount_cents > 152'));
    await expectSameEverywhere(dir);
    const third = readMemos(dir, stamp);
    expect(third.log.entries - second.log.entries).toBeGreaterThan(0);
    expect(third.log.entries - second.log.entries).toBeLessThan(second.log.entries / 2);
  });

  it("a first run removes the temporary files of runs that were stopped, not those of a running one", async () => {
    const dir = copy(EXAMPLE);
    mkdirSync(join(dir, '.streamt', 'cache'), { recursive: true });
    // A process id no process has (above Linux's pid_max), and this one's.
    const stopped = `memo.log.${2 ** 23 + 17}.1700000000000.tmp`;
    const running = `memo.log.${process.pid}.1700000000000.tmp`;
    for (const name of [stopped, running]) writeFileSync(join(dir, '.streamt', 'cache', name), 'half a log');
    const json = await validate(dir, ['--format', 'json', '--no-cache']);
    expect(await validate(dir, ['--format', 'json'])).toEqual(json);
    expect(readdirSync(join(dir, '.streamt', 'cache')).sort()).toEqual(['memo.log', running, 'validate.bin'].sort());
  });

  it('memo.log: compacted when it holds more than twice the values a run used', async () => {
    const dir = copy(EXAMPLE);
    await validate(dir);
    // The run after an edit remembers what a first run does not (lineage, compile parts).
    edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 0', 'AND amount_cents > 0 '));
    await validate(dir);
    const stamp = buildStamp(packageVersion());
    const first = readMemos(dir, stamp).log.entries;
    let grew = false;
    for (let i = 1; i <= 40; i++) {
      edit(dir, 'models/payments.yml', (t) => t.replace(/AND amount_cents > \d+/, `AND amount_cents > ${i}`));
      await validate(dir);
      const log = readMemos(dir, stamp).log;
      expect(log.appendable).toBe(true);
      expect(log.entries).toBeLessThanOrEqual(2 * first + 10);
      if (log.entries > first) grew = true;
    }
    expect(grew).toBe(true);
    const cold = await validate(dir, ['--format', 'json', '--no-cache']);
    expect(await validate(dir, ['--format', 'json'])).toEqual(cold);
  });

  it('memo.log: validates appending at once leave a log of whole records', async () => {
    const dir = copy(EXAMPLE);
    const child = (extra: string[] = []) =>
      new Promise<{ code: number; stdout: string }>((done) => {
        const c = spawn(process.execPath, [BIN, 'validate', '-p', dir, '--format', 'json', ...extra], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NO_COLOR: '1' } });
        let stdout = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        c.on('close', (code) => done({ code: code ?? -1, stdout }));
      });
    await child();
    expect(recordCount(readFileSync(memoPath(dir)))).toBe(1);
    edit(dir, 'models/payments.yml', (t) => t.replace('AND amount_cents > 0', 'AND amount_cents > 10'));
    const cold = await child(['--no-cache']);
    // Three runs at once, each appending the values of the edit (or rewriting the log).
    expect((await Promise.all([child(), child(), child()])).map((r) => r.code)).toEqual([0, 0, 0]);
    expect(recordCount(readFileSync(memoPath(dir)))).toBeGreaterThanOrEqual(1);
    expect(await child()).toEqual(cold);
    expect(readdirSync(join(dir, '.streamt', 'cache')).sort()).toEqual(['memo.log', 'validate.bin']);
  });

  it('stale: written by another build or for other files, its result is not replayed', async () => {
    const dir = copy(EXAMPLE);
    await expectSameEverywhere(dir);
    const good = readFileSync(cachePath(dir));
    // A cache of another project (same analyses, other result) replayed here would print its verdict.
    const other = copy(EXAMPLE);
    edit(other, 'models/payments.yml', (t) => t.replace('{{ ref("payments_clean") }}', '{{ ref("payments_clena") }}'));
    const otherRun = await validate(other, ['--format', 'json']);
    expect(otherRun.code).toBe(1);
    writeFileSync(cachePath(dir), readFileSync(cachePath(other)));
    const json = await validate(dir, ['--format', 'json', '--no-cache']);
    expect(json.code).toBe(0);
    expect(await validate(dir, ['--format', 'json'])).toEqual(json);
    expect(readFileSync(cachePath(dir))).toEqual(good);
  });

  it('written by another version or build: ignored, even when its key matches', async () => {
    const dir = copy(EXAMPLE);
    const [json] = await expectSameEverywhere(dir);
    const good = readFileSync(cachePath(dir));
    const stamp = buildStamp(packageVersion());
    expect(buildStamp('0.0.0-other')).not.toBe(stamp);
    const cache = readValidateCache(dir, stamp);
    expect(cache.result?.diagnostics.length).toBeGreaterThan(0);
    // The same key with other diagnostics, stamped by another build: replayed, it would print none.
    for (const other of [buildStamp('0.0.0-other'), 'another build']) {
      writeValidateCache(dir, other, { ...cache, result: { ...cache.result!, diagnostics: [] } });
      expect(readValidateCache(dir, stamp).result).toBeUndefined();
      expect(await validate(dir, ['--format', 'json'])).toEqual(json);
      expect(readFileSync(cachePath(dir))).toEqual(good);
    }
  });

  it('--no-cache neither reads nor writes it; an unwritable folder is not an error', async () => {
    const dir = copy(EXAMPLE);
    const json = await validate(dir, ['--format', 'json', '--no-cache']);
    expect(existsSync(join(dir, '.streamt'))).toBe(false);
    // A file where the cache folder would be: the cache cannot be written, validate still answers.
    writeFileSync(join(dir, '.streamt'), 'not a folder');
    expect(await validate(dir, ['--format', 'json'])).toEqual(json);
    expect(readFileSync(join(dir, '.streamt'), 'utf8')).toBe('not a folder');
  });

  it('a project whose files resolve a secret is not cached', async () => {
    const dir = copy(EXAMPLE);
    edit(dir, 'stream_project.yml', (t) => t.replace(/bootstrap_servers: .*/, 'bootstrap_servers: localhost:9092\n    sasl_password: ${KAFKA_SASL_PASSWORD}'));
    const cold = await validate(dir, ['--no-cache'], { KAFKA_SASL_PASSWORD: 'hunter2-secret' });
    expect(await validate(dir, [], { KAFKA_SASL_PASSWORD: 'hunter2-secret' })).toEqual(cold);
    expect(existsSync(cachePath(dir))).toBe(false);
    expect(existsSync(join(dir, '.streamt'))).toBe(false);
    // Large enough for values to be written while it runs: the log it began is removed.
    addModels(dir, 300);
    const big = await validate(dir, [], { KAFKA_SASL_PASSWORD: 'hunter2-secret' });
    expect(big.code).toBe(0);
    expect(existsSync(cachePath(dir))).toBe(false);
    expect(existsSync(memoPath(dir))).toBe(false);
    expect(readdirSync(join(dir, '.streamt', 'cache'))).toEqual([]);
  });

  it('two validates at once leave one whole cache', async () => {
    const dir = copy(EXAMPLE);
    const json = await validate(dir, ['--format', 'json', '--no-cache']);
    const once = () =>
      new Promise<number>((done) => {
        const child = spawn(process.execPath, [BIN, 'validate', '-p', dir, '--format', 'json'], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
        child.on('close', (code) => done(code ?? -1));
      });
    expect(await Promise.all([once(), once(), once()])).toEqual([0, 0, 0]);
    expect(readdirSync(join(dir, '.streamt', 'cache')).sort()).toEqual(['memo.log', 'validate.bin']);
    expect(await validate(dir, ['--format', 'json'])).toEqual(json);
  });
});

describe('streamt clean removes the cache', () => {
  it('with generated/ and site/', async () => {
    const dir = copy(EXAMPLE);
    await validate(dir);
    expect(existsSync(cachePath(dir))).toBe(true);
    const r = await run(['clean', '-p', dir, '--format', 'json'], { stdout: { write: () => true } as unknown as NodeJS.WritableStream, stderr: { write: () => true } as unknown as NodeJS.WritableStream, env: {} });
    expect(r).toBe(0);
    expect(existsSync(join(dir, '.streamt'))).toBe(false);
  });
});
