-- Flink job for model tag_list of project lineage, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.lineage.tag_list';

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
  'properties.group.id' = 'streamt.lineage.tag_list',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `tag_list__output` (
  `payment_id` STRING,
  `tag` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'tag_list',
  'properties.bootstrap.servers' = 'kafka:29092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `tag_list__output`
SELECT payment_id, tag FROM `payments` CROSS JOIN UNNEST(tags) AS t (tag)
;
