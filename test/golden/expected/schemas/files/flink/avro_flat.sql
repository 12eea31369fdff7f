-- Flink job for model avro_flat of project schemas_demo, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.schemas_demo.avro_flat';

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

CREATE TEMPORARY TABLE `avro_all` (
  `id` STRING NOT NULL,
  `prim` ROW<`b` BOOLEAN NOT NULL, `i` INT NOT NULL, `l` BIGINT NOT NULL, `f` FLOAT NOT NULL, `d` DOUBLE NOT NULL, `s` STRING NOT NULL, `by` BYTES NOT NULL> NOT NULL,
  `logical` ROW<`day` DATE NOT NULL, `ts_ms` TIMESTAMP(3) NOT NULL, `lts_ms` BIGINT NOT NULL, `lts_us` BIGINT NOT NULL, `amount` DECIMAL(10, 2) NOT NULL, `amount_no_scale` DECIMAL(12, 0) NOT NULL, `amount_fixed` DECIMAL(18, 4) NOT NULL, `id` STRING NOT NULL, `maybe_ts` TIMESTAMP(3), `maybe_amount` DECIMAL(38, 10)> NOT NULL,
  `order` ROW<`order_id` STRING NOT NULL, `status` STRING NOT NULL, `previous_status` STRING, `customer` ROW<`id` STRING NOT NULL, `address` ROW<`city` STRING NOT NULL, `zip` STRING> NOT NULL> NOT NULL, `lines` ARRAY<ROW<`sku` STRING NOT NULL, `qty` INT NOT NULL, `price` DECIMAL(9, 2) NOT NULL> NOT NULL> NOT NULL, `attributes` MAP<STRING NOT NULL, ARRAY<STRING NOT NULL> NOT NULL> NOT NULL, `hash` VARBINARY(16) NOT NULL, `other_hash` VARBINARY(16) NOT NULL, `error_record` ROW<`code` INT NOT NULL> NOT NULL> NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'golden.avro_all',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.schemas_demo.avro_flat',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.schema' = '{"type":"record","name":"Everything","namespace":"golden","fields":[{"name":"id","type":"string"},{"name":"prim","type":{"type":"record","name":"Primitives","namespace":"acme","fields":[{"name":"b","type":"boolean","doc":"a flag"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"d","type":"double"},{"name":"s","type":"string"},{"name":"by","type":"bytes"}]}},{"name":"logical","type":{"type":"record","name":"Logical","namespace":"acme.types","fields":[{"name":"day","type":{"type":"int","logicalType":"date"}},{"name":"ts_ms","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"lts_ms","type":{"type":"long","logicalType":"local-timestamp-millis"}},{"name":"lts_us","type":{"type":"long","logicalType":"local-timestamp-micros"}},{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},{"name":"amount_no_scale","type":{"type":"bytes","logicalType":"decimal","precision":12}},{"name":"amount_fixed","type":{"type":"fixed","name":"Amount","size":8,"logicalType":"decimal","precision":18,"scale":4}},{"name":"id","type":{"type":"string","logicalType":"uuid"}},{"name":"maybe_ts","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},{"name":"maybe_amount","type":["null",{"type":"bytes","logicalType":"decimal","precision":38,"scale":10}],"default":null}]}},{"name":"order","type":{"type":"record","name":"Order","namespace":"acme.orders","fields":[{"name":"order_id","type":"string"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"]}},{"name":"previous_status","type":["null","Status"],"default":null},{"name":"customer","type":{"type":"record","name":"Customer","fields":[{"name":"id","type":"string"},{"name":"address","type":{"type":"record","name":"Address","namespace":"acme.common","fields":[{"name":"city","type":"string"},{"name":"zip","type":["null","string"]}]}}]}},{"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"},{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}}},{"name":"attributes","type":{"type":"map","values":{"type":"array","items":"string"}}},{"name":"hash","type":{"type":"fixed","name":"Md5","size":16}},{"name":"other_hash","type":"Md5"},{"name":"error_record","type":{"type":"error","name":"Problem","fields":[{"name":"code","type":"int"}]}}]}}]}'
);

CREATE TEMPORARY TABLE `avro_flat__output` (
  `id` STRING,
  `b` BOOLEAN,
  `i` INT,
  `l` BIGINT,
  `f` FLOAT,
  `d` DOUBLE,
  `s` STRING,
  `by` BYTES,
  `day` DATE,
  `ts_ms` TIMESTAMP(3),
  `lts_ms` BIGINT,
  `amount` DECIMAL(10, 2),
  `amount_fixed` DECIMAL(18, 4),
  `uuid` STRING,
  `maybe_ts` TIMESTAMP(3),
  `status` STRING,
  `city` STRING,
  `first_price` DECIMAL(9, 2),
  `colors` ARRAY<STRING NOT NULL>,
  `hash` VARBINARY(16)
) WITH (
  'connector' = 'kafka',
  'topic' = 'avro_flat',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.subject' = 'avro_flat-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `avro_flat__output`
SELECT id, prim.b, prim.i, prim.l, prim.f, prim.d, prim.s, prim.`by`,
       logical.`day`, logical.ts_ms, logical.lts_ms, logical.amount, logical.amount_fixed, logical.id AS uuid,
       logical.maybe_ts, `order`.status, `order`.customer.address.city, `order`.lines[1].price AS first_price,
       `order`.attributes['color'] AS colors, `order`.`hash`
FROM `avro_all`
;
