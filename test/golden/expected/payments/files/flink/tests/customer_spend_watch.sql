-- Continuous test customer_spend_watch on customer_spend_5m (project payments), compiled by streamt.
-- Violations go to topic _streamt_violations.payments.
-- Run the whole script in a fresh SQL Gateway session.

SET 'pipeline.name' = 'streamt.payments.test.customer_spend_watch';

SET 'table.local-time-zone' = 'UTC';

RESET 'parallelism.default';

RESET 'execution.checkpointing.interval';

RESET 'table.exec.state.ttl';

CREATE TEMPORARY TABLE `_streamt_in` (
  `_streamt_key` STRING,
  `_streamt_value` STRING,
  `_streamt_partition` INT METADATA FROM 'partition' VIRTUAL,
  `_streamt_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `_streamt_ts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `_streamt_rt` AS `_streamt_ts`,
  WATERMARK FOR `_streamt_rt` AS `_streamt_rt` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'customer_spend_5m',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.payments.test.customer_spend_watch',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'scan.watermark.idle-timeout' = '30 s',
  'key.format' = 'raw',
  'key.fields' = '_streamt_key',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.format' = 'raw'
);

CREATE TEMPORARY VIEW `_streamt_rows` AS
SELECT `_streamt_key`,
  `_streamt_value`,
  `_streamt_partition`,
  `_streamt_offset`,
  `_streamt_ts`,
  `_streamt_rt`,
  JSON_VALUE(`_streamt_value`, '$[''customer_id'']') AS `customer_id`,
  JSON_VALUE(`_streamt_value`, '$[''window_start'']') AS `window_start`,
  JSON_VALUE(`_streamt_value`, '$[''window_end'']') AS `window_end`,
  JSON_VALUE(`_streamt_value`, '$[''payment_count'']') AS `payment_count`,
  JSON_VALUE(`_streamt_value`, '$[''total_amount_cents'']') AS `total_amount_cents`
FROM `_streamt_in`;

CREATE TEMPORARY VIEW `_streamt_typed` AS
SELECT `_streamt_key`,
  `_streamt_value`,
  `_streamt_partition`,
  `_streamt_offset`,
  `_streamt_ts`,
  `_streamt_rt`,
  TRY_CAST(`customer_id` AS STRING) AS `customer_id`,
  TRY_CAST(`window_start` AS TIMESTAMP(3)) AS `window_start`,
  TRY_CAST(`window_end` AS TIMESTAMP(3)) AS `window_end`,
  TRY_CAST(`payment_count` AS BIGINT) AS `payment_count`,
  TRY_CAST(`total_amount_cents` AS BIGINT) AS `total_amount_cents`
FROM `_streamt_rows`;

CREATE TEMPORARY TABLE `_streamt_violations` (
  `test` STRING,
  `assertion` STRING,
  `assertion_index` INT,
  `record_key` STRING,
  `details` STRING,
  `record_partition` INT,
  `record_offset` BIGINT,
  `record_timestamp` TIMESTAMP_LTZ(3),
  `detected_at` TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = '_streamt_violations.payments',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'test',
  'value.format' = 'json'
);

INSERT INTO `_streamt_violations`
SELECT 'customer_spend_watch', 'range', 0, `_streamt_key`, CASE WHEN TRY_CAST(`total_amount_cents` AS DOUBLE) IS NULL THEN 'total_amount_cents = ' || `total_amount_cents` || ' is not a number' ELSE 'total_amount_cents = ' || `total_amount_cents` || ' outside [0, +inf]' END, `_streamt_partition`, `_streamt_offset`, `_streamt_ts`, CURRENT_TIMESTAMP
FROM `_streamt_rows`
WHERE `total_amount_cents` IS NOT NULL AND (TRY_CAST(`total_amount_cents` AS DOUBLE) IS NULL OR TRY_CAST(`total_amount_cents` AS DOUBLE) < 0);
