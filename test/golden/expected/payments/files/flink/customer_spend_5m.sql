-- Flink job for model customer_spend_5m of project payments, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by, window tvf).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.payments.customer_spend_5m';

SET 'parallelism.default' = '1';

SET 'execution.checkpointing.interval' = '10000 ms';

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

CREATE TEMPORARY TABLE `payments_clean` (
  `payment_id` STRING,
  `customer_id` STRING,
  `card_last4` STRING,
  `amount_cents` BIGINT,
  `currency` STRING,
  `status` STRING,
  `merchant_id` STRING,
  `event_time` TIMESTAMP_LTZ(3),
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'payments_clean',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.payments.customer_spend_5m',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `customer_spend_5m__output` (
  `customer_id` STRING,
  `window_start` TIMESTAMP(3),
  `window_end` TIMESTAMP(3),
  `payment_count` BIGINT,
  `total_amount_cents` BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'customer_spend_5m',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'customer_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `customer_spend_5m__output`
SELECT
  customer_id,
  window_start,
  window_end,
  COUNT(*) AS payment_count,
  SUM(amount_cents) AS total_amount_cents
FROM TABLE(
  TUMBLE(TABLE `payments_clean`, DESCRIPTOR(event_time), INTERVAL '5' MINUTE))
GROUP BY customer_id, window_start, window_end
;
