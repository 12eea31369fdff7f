-- Flink job for model spend of project lineage, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.lineage.spend';

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
  `payment_id` STRING,
  `customer_id` STRING,
  `card_number` STRING,
  `amount_cents` BIGINT,
  `billing` ROW<email STRING, country STRING>,
  `tags` ARRAY<STRING>,
  `event_time` TIMESTAMP(3),
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'lin.payments',
  'properties.bootstrap.servers' = 'kafka:29092',
  'properties.group.id' = 'streamt.lineage.spend',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `spend__output` (
  `customer_id` STRING,
  `window_start` TIMESTAMP(3),
  `window_end` TIMESTAMP(3),
  `total` BIGINT,
  `n` BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'spend',
  'properties.bootstrap.servers' = 'kafka:29092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `spend__output`
SELECT customer_id, window_start, window_end, SUM(amount_cents) AS total, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE `payments`, DESCRIPTOR(event_time), INTERVAL '5' MINUTE))
GROUP BY customer_id, window_start, window_end
;
