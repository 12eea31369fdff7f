-- Flink job for model hot_sensors of project avro_demo, compiled by streamt.
-- Materialized flink: stateless SQL, no Gateway configured.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.avro_demo.hot_sensors';

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

CREATE TEMPORARY TABLE `sensors` (
  `sensor_id` STRING NOT NULL,
  `temperature` DOUBLE NOT NULL,
  `read_at` TIMESTAMP(3) NOT NULL,
  WATERMARK FOR `read_at` AS `read_at` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'iot.sensors',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.avro_demo.hot_sensors',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.schema' = '{"type":"record","name":"Reading","namespace":"iot","fields":[{"name":"sensor_id","type":"string"},{"name":"temperature","type":"double"},{"name":"read_at","type":{"type":"long","logicalType":"timestamp-millis"}}]}'
);

CREATE TEMPORARY TABLE `hot_sensors__output` (
  `sensor_id` STRING,
  `temperature` DOUBLE,
  `read_at` TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'hot_sensors',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'sensor_id',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'hot_sensors-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `hot_sensors__output`
SELECT sensor_id, temperature, read_at
FROM `sensors`
WHERE temperature > 40.0
;
