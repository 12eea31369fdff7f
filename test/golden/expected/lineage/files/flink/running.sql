-- Flink job for model running of project lineage, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.lineage.running';

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

CREATE TEMPORARY TABLE `card_view` (
  `payment_id` STRING,
  `card_upper` STRING,
  `card_number` STRING,
  `amount` DOUBLE,
  `size` STRING,
  `billing_email` STRING,
  `country` STRING,
  `event_time` TIMESTAMP(3),
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'card_view',
  'properties.bootstrap.servers' = 'kafka:29092',
  'properties.group.id' = 'streamt.lineage.running',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `running__output` (
  `payment_id` STRING,
  `last4` STRING,
  `running_total` DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'running',
  'properties.bootstrap.servers' = 'kafka:29092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `running__output`
WITH t AS (SELECT payment_id, card_number AS last4, amount, event_time FROM `card_view`)
SELECT payment_id, last4,
       SUM(amount) OVER (PARTITION BY payment_id ORDER BY event_time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS running_total
FROM t
;
