-- Flink job for model high_risk_payments of project payments, compiled by streamt.
-- Materialized flink: stateless SQL, no Gateway configured.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.payments.high_risk_payments';

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

CREATE TEMPORARY TABLE `payments_enriched` (
  `payment_id` STRING,
  `customer_id` STRING,
  `amount_cents` BIGINT,
  `currency` STRING,
  `merchant_id` STRING,
  `event_time` TIMESTAMP_LTZ(3),
  `country` STRING,
  `risk_band` STRING,
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'payments_enriched',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.payments.high_risk_payments',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `high_risk_payments__output` (
  `payment_id` STRING,
  `customer_id` STRING,
  `amount_cents` BIGINT,
  `currency` STRING,
  `country` STRING,
  `risk_band` STRING,
  `event_time` TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'high_risk_payments',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'payment_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `high_risk_payments__output`
SELECT payment_id, customer_id, amount_cents, currency, country, risk_band, event_time
FROM `payments_enriched`
WHERE amount_cents >= 100000 OR risk_band = 'HIGH'
;
