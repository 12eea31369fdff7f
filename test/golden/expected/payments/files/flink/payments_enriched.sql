-- Flink job for model payments_enriched of project payments, compiled by streamt.
-- Materialized flink: stateful SQL (temporal join).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.payments.payments_enriched';

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
  'properties.group.id' = 'streamt.payments.payments_enriched',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `customers` (
  `customer_id` STRING NOT NULL,
  `email` STRING,
  `country` STRING,
  `risk_band` STRING,
  `updated_at` TIMESTAMP_LTZ(3) NOT NULL,
  WATERMARK FOR `updated_at` AS `updated_at`,
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'crm.customers.v1',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.payments.payments_enriched',
  'properties.isolation.level' = 'read_committed',
  'scan.watermark.idle-timeout' = '30 s',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY TABLE `payments_enriched__output` (
  `payment_id` STRING,
  `customer_id` STRING,
  `amount_cents` BIGINT,
  `currency` STRING,
  `merchant_id` STRING,
  `event_time` TIMESTAMP_LTZ(3),
  `country` STRING,
  `risk_band` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'payments_enriched',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'payment_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `payments_enriched__output`
SELECT
  p.payment_id,
  p.customer_id,
  p.amount_cents,
  p.currency,
  p.merchant_id,
  p.event_time,
  c.country,
  c.risk_band
FROM `payments_clean` AS p
JOIN `customers` FOR SYSTEM_TIME AS OF p.event_time AS c
  ON p.customer_id = c.customer_id
;
