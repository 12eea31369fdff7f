-- Flink job for model readings of project odd-names, compiled by streamt.
-- Materialized flink: stateless SQL, no Gateway configured.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.odd-names.readings';

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

CREATE TEMPORARY TABLE `sensor.readings` (
  `value` DOUBLE,
  `model` STRING,
  `timestamp` TIMESTAMP(3),
  `data` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensor.readings',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.odd-names.readings',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `readings__output` (
  `value` DOUBLE,
  `model` STRING,
  `at` TIMESTAMP(3),
  `data` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'readings',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `readings__output`
SELECT r.`value`, r.`model`, `timestamp` AS `at`, `data`
FROM `sensor.readings` AS r
WHERE r.`value` > 0
;
