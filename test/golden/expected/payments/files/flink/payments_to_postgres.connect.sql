-- Kafka Connect envelope for sink payments_to_postgres of project payments, compiled by streamt.
-- Rewrites payments_clean as {"schema", "payload"} records in payments_to_postgres.connect, for a connector that needs a schema.
-- Run the whole script in a fresh SQL Gateway session.

SET 'pipeline.name' = 'streamt.payments.payments_to_postgres.connect';

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

SET 'table.local-time-zone' = 'UTC';

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
  'properties.group.id' = 'streamt.payments.payments_to_postgres.connect',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `payments_to_postgres__envelope` (
  `schema` ROW<`type` STRING, `fields` ARRAY<ROW<`field` STRING, `type` STRING, `optional` BOOLEAN, `name` STRING, `version` INT, `parameters` ROW<`scale` STRING, `connect.decimal.precision` STRING>>>, `optional` BOOLEAN, `name` STRING>,
  `payload` ROW<`payment_id` STRING, `customer_id` STRING, `card_last4` STRING, `amount_cents` BIGINT, `currency` STRING, `status` STRING, `merchant_id` STRING, `event_time` BIGINT>
) WITH (
  'connector' = 'kafka',
  'topic' = 'payments_to_postgres.connect',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `payments_to_postgres__envelope`
SELECT
  CAST(ROW('struct', ARRAY[ROW('payment_id', 'string', FALSE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('customer_id', 'string', TRUE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('card_last4', 'string', TRUE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('amount_cents', 'int64', TRUE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('currency', 'string', TRUE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('status', 'string', TRUE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('merchant_id', 'string', TRUE, CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)), ROW('event_time', 'int64', TRUE, 'org.apache.kafka.connect.data.Timestamp', 1, CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>))], FALSE, 'payments_clean') AS ROW<`type` STRING, `fields` ARRAY<ROW<`field` STRING, `type` STRING, `optional` BOOLEAN, `name` STRING, `version` INT, `parameters` ROW<`scale` STRING, `connect.decimal.precision` STRING>>>, `optional` BOOLEAN, `name` STRING>) AS `schema`,
  CAST(ROW(`payment_id`, `customer_id`, `card_last4`, `amount_cents`, `currency`, `status`, `merchant_id`, EXTRACT(EPOCH FROM CAST(`event_time` AS TIMESTAMP(3))) * 1000 + EXTRACT(MILLISECOND FROM CAST(`event_time` AS TIMESTAMP(3)))) AS ROW<`payment_id` STRING, `customer_id` STRING, `card_last4` STRING, `amount_cents` BIGINT, `currency` STRING, `status` STRING, `merchant_id` STRING, `event_time` BIGINT>) AS `payload`
FROM `payments_clean`;
