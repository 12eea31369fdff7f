-- Flink job for model latest_rates of project changelog_demo, compiled by streamt.
-- Materialized flink: stateless SQL over a changelog (rates).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.latest_rates';

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

CREATE TEMPORARY TABLE `rates` (
  `currency` STRING,
  `rate` DECIMAL(10, 4),
  `valid_from` TIMESTAMP(3),
  WATERMARK FOR `valid_from` AS `valid_from`,
  PRIMARY KEY (`currency`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'fx.rates',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.latest_rates',
  'properties.isolation.level' = 'read_committed',
  'scan.watermark.idle-timeout' = '30 s',
  'key.format' = 'raw',
  'value.format' = 'json'
);

CREATE TEMPORARY TABLE `latest_rates__output` (
  `currency` STRING,
  `rate` DECIMAL(10, 4),
  PRIMARY KEY (`currency`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'latest_rates',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'latest_rates-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `latest_rates__output`
SELECT currency, rate FROM `rates`
;
