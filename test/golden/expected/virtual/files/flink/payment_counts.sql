-- Flink job for model payment_counts of project gw, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.gw.payment_counts';

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

CREATE TEMPORARY TABLE `payments` (
  `id` STRING,
  `card` STRING,
  `amount` BIGINT,
  `country` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'pay-ments.v1',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.gw.payment_counts',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `payment_counts__output` (
  `country` STRING,
  `payments` BIGINT,
  PRIMARY KEY (`country`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'payment_counts',
  'properties.bootstrap.servers' = 'localhost:6969',
  'key.format' = 'raw',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `payment_counts__output`
SELECT country, COUNT(*) AS payments FROM `payments` GROUP BY country
;
