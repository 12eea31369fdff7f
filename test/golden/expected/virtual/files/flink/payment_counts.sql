-- Flink job for model payment_counts of project gw, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.gw.payment_counts';

RESET 'parallelism.default';

RESET 'execution.checkpointing.interval';

RESET 'table.exec.state.ttl';

CREATE TEMPORARY TABLE `payments` (
  `id` STRING,
  `card` STRING,
  `amount` BIGINT,
  `country` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'pay-ments.v1',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.gw.payment_counts',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `payment_counts__output` (
  `country` STRING,
  `payments` BIGINT,
  PRIMARY KEY (`country`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'payment_counts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'json'
);

INSERT INTO `payment_counts__output`
SELECT country, COUNT(*) AS payments FROM `payments` GROUP BY country
;
