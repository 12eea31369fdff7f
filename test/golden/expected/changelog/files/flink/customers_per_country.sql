-- Flink job for model customers_per_country of project changelog_demo, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.customers_per_country';

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

CREATE TEMPORARY TABLE `customers_cdc` (
  `customer_id` STRING,
  `name` STRING,
  `country` STRING,
  `updated_at` TIMESTAMP(3),
  WATERMARK FOR `updated_at` AS `updated_at` - INTERVAL '5' SECOND,
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'crm.public.customers',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.customers_per_country',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'debezium-json',
  'debezium-json.schema-include' = 'true'
);

CREATE TEMPORARY TABLE `customers_per_country__output` (
  `country` STRING,
  `customers` BIGINT,
  PRIMARY KEY (`country`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'customers_per_country',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'customers_per_country-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `customers_per_country__output`
SELECT country, COUNT(*) AS customers
FROM `customers_cdc`
GROUP BY country
;
