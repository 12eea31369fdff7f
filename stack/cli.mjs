// `npm run stack -- up|down|status|logs [service] [-n lines]`
// The local streaming stack without Docker; see docs/development.md.
import fs from 'node:fs';
import { up, down, status, kill, start, stackConfig, serviceNames } from './api.mjs';
import { logFile } from './lib/proc.mjs';
import { paths } from './config.mjs';

const USAGE = `usage: npm run stack -- <command>

  up [service...]    download what is missing (into ${paths.home}), start every service (or only the
                     named ones, e.g. \`up kafka\` for a private broker on other ports), wait until ready
  down               stop every process this tool started (by recorded pid)
  status             show each service's state, pid, port and memory
  kill <service>     SIGKILL one service, as a crash would (fault tests); start it again with start
  start <service>    start one service that is not running and wait until it is ready
  logs [service] [-n N]  print the last N (default 100) lines of a service log
  env                print the endpoints as shell variables

services: ${serviceNames.join(', ')}
`;

function printStatus(rows) {
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const port = r.port ? String(r.port) : '-';
    const pid = r.pid ? String(r.pid) : '-';
    const rss = r.rssMiB !== null && r.rssMiB !== undefined ? `${r.rssMiB} MiB` : '-';
    console.log(`${r.name.padEnd(w)}  ${r.state.padEnd(8)}  port ${port.padEnd(5)}  pid ${pid.padEnd(7)}  rss ${rss.padEnd(9)}  ${r.describe}`);
  }
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      for (const n of rest) {
        if (!serviceNames.includes(n)) {
          console.error(`unknown service ${n}; one of ${serviceNames.join(', ')}`);
          return 2;
        }
      }
      const r = await up({ log: (m) => console.error(`[stack] ${m}`), ...(rest.length ? { only: rest } : {}) });
      const total = ((Date.now() - t0) / 1000).toFixed(1);
      console.error(`[stack] ${r.startedAny ? 'up' : 'already up (no-op)'}: install/check ${(r.installMs / 1000).toFixed(1)}s, start ${(r.startMs / 1000).toFixed(1)}s, total ${total}s`);
      printStatus(await status());
      return 0;
    }
    case 'down': {
      await down({ log: (m) => console.error(`[stack] ${m}`) });
      const left = (await status()).filter((s) => s.state !== 'stopped' && s.state !== 'foreign');
      if (left.length) {
        console.error(`[stack] still running: ${left.map((s) => s.name).join(', ')}`);
        return 1;
      }
      console.error('[stack] down');
      return 0;
    }
    case 'kill':
    case 'start': {
      const [name] = rest;
      if (!serviceNames.includes(name)) {
        console.error(`usage: npm run stack -- ${cmd} <service>; one of ${serviceNames.join(', ')}`);
        return 2;
      }
      const log = (m) => console.error(`[stack] ${m}`);
      const r = cmd === 'kill' ? await kill(name, { log }) : await start(name, { log });
      if (r === 'not-running') console.error(`[stack] ${name}: not running`);
      return 0;
    }
    case 'status': {
      const rows = await status();
      printStatus(rows);
      return rows.every((r) => r.state === 'running') ? 0 : 3;
    }
    case 'logs': {
      let n = 100;
      const names = [];
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === '-n') n = Number(rest[++i]);
        else names.push(rest[i]);
      }
      const which = names.length ? names : serviceNames;
      for (const name of which) {
        if (!serviceNames.includes(name) && name !== 'install') {
          console.error(`unknown service ${name}; one of ${serviceNames.join(', ')}, install`);
          return 2;
        }
        const file = logFile(name);
        console.log(`==> ${file} <==`);
        if (!fs.existsSync(file)) {
          console.log('(no log yet)');
          continue;
        }
        const lines = fs.readFileSync(file, 'utf8').split('\n');
        console.log(lines.slice(-(names.length ? n : Math.min(n, 20)) - 1).join('\n'));
        if (name.startsWith('flink')) console.log(`(Flink also writes its own files under ${paths.logs}/flink/)`);
      }
      return 0;
    }
    case 'env': {
      const c = stackConfig;
      const vars = {
        STREAMT_KAFKA_BOOTSTRAP: c.kafka.bootstrapServers,
        STREAMT_KAFKA_SASL_BOOTSTRAP: c.kafka.sasl.bootstrapServers,
        STREAMT_CONNECT_URL: c.connect.url,
        STREAMT_REGISTRY_URL: c.registry.url,
        STREAMT_FLINK_REST_URL: c.flink.restUrl,
        STREAMT_FLINK_SQL_GATEWAY_URL: c.flink.sqlGatewayUrl,
        STREAMT_GATEWAY_URL: c.gateway.url,
        STREAMT_POSTGRES_JDBC_URL: c.postgres.jdbcUrl,
      };
      for (const [k, v] of Object.entries(vars)) console.log(`${k}=${v}`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return cmd ? 0 : 2;
    default:
      console.error(`unknown command ${cmd}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[stack] ${err?.stack && process.env.STREAMT_STACK_DEBUG ? err.stack : err?.message ?? err}`);
    process.exit(1);
  },
);
