-- Flink job for model product_prices of project changelog_demo, compiled by streamt.
-- Materialized flink: stateless SQL over a changelog (products_canal).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.product_prices';

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

CREATE TEMPORARY TABLE `products_canal` (
  `product_id` BIGINT,
  `title` STRING,
  `price` DECIMAL(10, 2),
  PRIMARY KEY (`product_id`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'shop.products.canal',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.product_prices',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'canal-json'
);

CREATE TEMPORARY TABLE `product_prices__output` (
  `product_id` BIGINT,
  `price` DECIMAL(10, 2),
  PRIMARY KEY (`product_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'product_prices',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'product_prices-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `product_prices__output`
SELECT product_id, price FROM `products_canal`
;
