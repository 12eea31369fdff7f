-- Flink job for model customer_totals of project payments, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.payments.customer_totals';

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

SET 'table.exec.state.ttl' = '604800000 ms';

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
  'properties.group.id' = 'streamt.payments.customer_totals',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `customer_totals__output` (
  `customer_id` STRING,
  `payment_count` BIGINT,
  `lifetime_amount_cents` BIGINT,
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'customer_totals',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `customer_totals__output`
SELECT customer_id, COUNT(*) AS payment_count, SUM(amount_cents) AS lifetime_amount_cents
FROM `payments_clean`
GROUP BY customer_id
;
