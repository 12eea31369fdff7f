-- Flink job for model payments_clean of project payments, compiled by streamt.
-- Materialized flink: stateless SQL, no Gateway configured.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.payments.payments_clean';

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

CREATE TEMPORARY TABLE `card_payments_raw` (
  `payment_id` STRING NOT NULL,
  `customer_id` STRING NOT NULL,
  `card_number` STRING,
  `amount_cents` BIGINT NOT NULL,
  `currency` STRING NOT NULL,
  `status` STRING NOT NULL,
  `merchant_id` STRING,
  `event_time` TIMESTAMP_LTZ(3) NOT NULL,
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'payments.raw.v1',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.payments.payments_clean',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY TABLE `payments_clean__output` (
  `payment_id` STRING,
  `customer_id` STRING,
  `card_last4` STRING,
  `amount_cents` BIGINT,
  `currency` STRING,
  `status` STRING,
  `merchant_id` STRING,
  `event_time` TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'payments_clean',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'payment_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `payments_clean__output`
SELECT
  payment_id,
  customer_id,
  SUBSTR(card_number, CHAR_LENGTH(card_number) - 3, 4) AS card_last4,
  amount_cents,
  currency,
  status,
  merchant_id,
  event_time
FROM `card_payments_raw`
WHERE status IN ('AUTHORIZED', 'CAPTURED')   -- declined payments never leave the raw topic
  AND amount_cents > 0
;
