// Orphans and --prune, a service killed during apply, protected environments and
// safety.allow_destructive, against the real stack.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTopics, endpoints, http, onCleanup, putConnector, stackConfig } from './helpers.js';
import { changesOf, cleanupProject, miniProject, modelsYaml, runtimeYaml } from './plan-helpers.js';

/** A TCP proxy in front of a real service: closing it is the service going away for its clients. */
async function tcpProxy(target: { host: string; port: number }, port = 0): Promise<{ port: number; kill: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = netConnect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const kill = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return { port: (server.address() as AddressInfo).port, kill };
}

const connectTarget = () => {
  const u = new URL(stackConfig.connect.url);
  return { host: u.hostname, port: Number(u.port) };
};

describe('apply: orphans, failures and safety', () => {
  it('shows removed models as orphans and deletes only their job, topic and connector with --prune', async () => {
    const { project, names } = miniProject();
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    await project.apply();
    // Something this project does not own, named like its resources.
    const foreign = `${names.sink}_manual`;
    await putConnector(foreign, { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', topics: names.clean, file: `${names.file}.manual`, 'value.converter': 'org.apache.kafka.connect.storage.StringConverter', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' });

    project.write({ 'models/models.yml': modelsYaml(names, { withTotals: false, withSink: false }) });
    const kept = await project.planJson();
    expect(changesOf(kept)).toEqual([]);
    // Each model registers its output schema (a JSON Schema here: JSON with a registry), so its subject is an orphan too.
    expect(kept.changes.filter((c: any) => c.orphan).map((c: any) => c.addr).sort()).toEqual([`connect.connector.${names.sink}`, `flink.job.${names.totals}`, `kafka.topic.${names.totals}`, `sr.subject.${names.totals}-value`]);
    const text = await project.cli(['plan', '--detailed-exitcode']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Orphans, owned by this project but no longer declared');

    const pruned = await project.planJson(['--prune']);
    expect(changesOf(pruned)).toEqual([`connect.connector.${names.sink} delete`, `flink.job.${names.totals} delete`, `kafka.topic.${names.totals} delete`, `sr.subject.${names.totals}-value delete`]);
    await project.apply(['--prune']);

    const connectors = await http('GET', `${endpoints.connect}/connectors`);
    expect(connectors.body).toContain(foreign);
    expect(connectors.body).not.toContain(names.sink);
    const jobs = (await http('GET', `${endpoints.flinkRest}/jobs/overview`)).body.jobs as { name: string; state: string }[];
    expect(jobs.filter((j) => j.name === `streamt.${names.project}.${names.totals}` && j.state === 'RUNNING')).toEqual([]);
    expect(jobs.filter((j) => j.name === `streamt.${names.project}.${names.clean}` && j.state === 'RUNNING')).toHaveLength(1);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a service killed during apply gives a clear error, and a re-run converges', async () => {
    const proxy = await tcpProxy(connectTarget());
    let proxyKill = proxy.kill;
    onCleanup('stop the proxy', () => proxyKill());
    const { project, names } = miniProject({ connectUrl: `http://127.0.0.1:${proxy.port}` });
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);

    let killed: Promise<void> | undefined;
    const first = await project.cli(['apply', '--auto-approve'], {
      onStderr: (s) => {
        // Connect goes away once apply has started changing things.
        if (!killed && s.includes(`kafka.topic.${names.clean} created`)) killed = proxy.kill();
      },
    });
    await killed;
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`connect.connector.${names.sink} failed: Kafka Connect at http://127.0.0.1:${proxy.port} is not reachable (connection refused`);
    expect(first.stderr).toMatch(/\d+ applied, 1 failed, 0 skipped/);
    expect(first.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const again = await tcpProxy(connectTarget(), proxy.port);
    proxyKill = again.kill;
    const plan = await project.planJson();
    expect(changesOf(plan)).toEqual([`connect.connector.${names.sink} create`]);
    const second = await project.apply();
    expect(second.stderr).toContain('1 applied, 0 failed, 0 skipped');
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a protected environment needs the typed name or --confirm; allow_destructive: false blocks deletes unless --force', async () => {
    const { project, names } = miniProject();
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    project.write({
      'stream_project.yml': `project:\n  name: ${names.project}\ndefaults:\n  topic:\n    partitions: 1\n    replication_factor: 1\n`,
      'environments/prod.yml': `environment:\n  name: prod\n  protected: true\nsafety:\n  allow_destructive: false\n${runtimeYaml()}`,
      'models/models.yml': modelsYaml(names, { withTotals: false, withSink: false }),
    });
    const env = ['-e', 'prod'];
    const refused = await project.cli(['apply', ...env]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('APPLY_CONFIRMATION_REQUIRED');
    // The model's Avro subject (the default with a registry), its topic and its job.
    expect((await project.planJson(env)).summary.create).toBe(3);

    const { applyCommand } = await import('../../src/cli/commands/apply.js');
    const { Output } = await import('../../src/ui/output.js');
    let err = '';
    const out = new Output({ write: () => true }, { write: (s: string) => ((err += s), true) });
    const wrong = await applyCommand(undefined, { projectDir: project.dir, env: 'prod', ask: async () => 'production' }, out, process.env);
    expect(wrong).toBe(1);
    expect(err).toContain('"production" is not the environment name prod');
    const typed = await applyCommand(undefined, { projectDir: project.dir, env: 'prod', ask: async () => 'prod' }, out, process.env);
    expect(typed, err).toBe(0);

    // Removing the model plans deletes: blocked without --force, even with --confirm.
    project.write({ 'models/models.yml': 'models: []\n' });
    const blocked = await project.cli(['apply', '--prune', '--confirm', ...env]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('APPLY_DESTRUCTIVE_BLOCKED');
    const forced = await project.cli(['apply', '--prune', '--confirm', '--force', ...env]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('3 applied, 0 failed, 0 skipped');
    // The clean-up runs without the environment: put the runtime back in the project file.
    project.remove('environments');
    project.write({ 'stream_project.yml': `project:\n  name: ${names.project}\n${runtimeYaml()}` });
  });
});
