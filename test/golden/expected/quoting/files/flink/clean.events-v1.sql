-- Flink job for model clean.events-v1 of project odd-names, compiled by streamt.
-- Materialized flink: stateless SQL, no Gateway configured.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.odd-names.clean.events-v1';

RESET 'parallelism.default';

SET 'execution.checkpointing.interval' = '60000 ms';

SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';

RESET 'execution.checkpointing.dir';

SET 'restart-strategy.type' = 'exponential-delay';

SET 'restart-strategy.exponential-delay.initial-backoff' = '1 s';

SET 'restart-strategy.exponential-delay.max-backoff' = '1 min';

SET 'restart-strategy.exponential-delay.attempts-before-reset-backoff' = '10';

RESET 'restart-strategy.fixed-delay.attempts';

RESET 'restart-strategy.fixed-delay.delay';

RESET 'table.exec.state.ttl';

RESET 'state.backend.type';

CREATE TEMPORARY TABLE `raw.events-v1` (
  `weird``col` STRING,
  `it's` BIGINT,
  `select` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '../../etc/it''s a `topic`/x',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.odd-names.clean.events-v1',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `clean.events-v1__output` (
  `weird``col` STRING,
  `n'); DROP TABLE x; --` BIGINT,
  `select` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'out/../..\clean ''events''',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `clean.events-v1__output`
SELECT `weird``col`, `it's` + 1 AS `n'); DROP TABLE x; --`, `select`
FROM `raw.events-v1`
WHERE `select` <> 'a''b'
;
