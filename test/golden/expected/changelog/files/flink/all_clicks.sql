-- Flink job for model all_clicks of project changelog_demo, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.all_clicks';

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

CREATE TEMPORARY TABLE `clicks` (
  `user_id` STRING,
  `seen_at` AS PROCTIME(),
  `url` STRING,
  `ts` TIMESTAMP(3),
  WATERMARK FOR `ts` AS `ts` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'web.clicks',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.all_clicks',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `all_clicks__output` (
  `user_id` STRING,
  `seen_at` TIMESTAMP_LTZ(3),
  `url` STRING,
  `ts` TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'all_clicks',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `all_clicks__output`
SELECT * FROM `clicks`
;
