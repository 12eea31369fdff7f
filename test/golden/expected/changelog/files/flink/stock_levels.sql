-- Flink job for model stock_levels of project changelog_demo, compiled by streamt.
-- Materialized flink: stateless SQL over a changelog (stock_maxwell).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.stock_levels';

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

CREATE TEMPORARY TABLE `stock_maxwell` (
  `sku` STRING,
  `quantity` INT,
  PRIMARY KEY (`sku`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'shop.stock.maxwell',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.stock_levels',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'maxwell-json'
);

CREATE TEMPORARY TABLE `stock_levels__output` (
  `sku` STRING,
  `quantity` INT,
  PRIMARY KEY (`sku`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'stock_levels',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'stock_levels-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `stock_levels__output`
SELECT sku, quantity FROM `stock_maxwell` WHERE quantity >= 0
;
