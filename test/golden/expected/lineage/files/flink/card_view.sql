-- Flink job for model card_view of project lineage, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.lineage.card_view';

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
  'properties.group.id' = 'streamt.lineage.card_view',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `card_view__output` (
  `payment_id` STRING,
  `card_upper` STRING,
  `card_number` STRING,
  `amount` DOUBLE,
  `size` STRING,
  `billing_email` STRING,
  `country` STRING,
  `event_time` TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'card_view',
  'properties.bootstrap.servers' = 'kafka:29092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `card_view__output`
SELECT `payment_id`,
       SHA256(`card_upper`) AS `card_upper`,
       CASE WHEN CHAR_LENGTH(`card_number`) > 4 THEN CONCAT(REPEAT('*', CHAR_LENGTH(`card_number`) - 4), SUBSTRING(`card_number` FROM CHAR_LENGTH(`card_number`) - 3)) ELSE REPEAT('*', CHAR_LENGTH(`card_number`)) END AS `card_number`,
       `amount`,
       `size`,
       CASE WHEN `billing_email` IS NULL THEN CAST(NULL AS STRING) ELSE '[REDACTED]' END AS `billing_email`,
       `country`,
       `event_time`
FROM (
SELECT payment_id,
       UPPER(card_number) AS card_upper,
       card_number,
       CAST(amount_cents AS DOUBLE) / 100 AS amount,
       CASE WHEN amount_cents > 10000 THEN 'large' ELSE 'small' END AS size,
       billing.email AS billing_email,
       billing.country AS country,
       event_time
FROM `payments`
) AS `streamt_masked`
;
