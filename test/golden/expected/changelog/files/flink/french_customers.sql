-- Flink job for model french_customers of project changelog_demo, compiled by streamt.
-- Materialized flink: stateless SQL over a changelog (customers_cdc).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.french_customers';

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
  'properties.group.id' = 'streamt.changelog_demo.french_customers',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'debezium-json',
  'debezium-json.schema-include' = 'true'
);

CREATE TEMPORARY TABLE `french_customers__output` (
  `customer_id` STRING,
  `name` STRING,
  `updated_at` TIMESTAMP(3),
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'french_customers',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'french_customers-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `french_customers__output`
SELECT customer_id, name, updated_at
FROM `customers_cdc`
WHERE country = 'FR'
;
