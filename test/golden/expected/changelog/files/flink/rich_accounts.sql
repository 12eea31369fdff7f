-- Flink job for model rich_accounts of project changelog_demo, compiled by streamt.
-- Materialized flink: stateless SQL over a changelog (accounts_cdc).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.rich_accounts';

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

CREATE TEMPORARY TABLE `accounts_cdc` (
  `bank` STRING,
  `account_id` BIGINT,
  `balance` DECIMAL(12, 2),
  PRIMARY KEY (`bank`, `account_id`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'bank.public.accounts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.rich_accounts',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'debezium-avro-confluent',
  'debezium-avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7'
);

CREATE TEMPORARY TABLE `rich_accounts__output` (
  `bank` STRING,
  `account_id` BIGINT,
  `balance` DECIMAL(12, 2),
  PRIMARY KEY (`bank`, `account_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'rich_accounts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'rich_accounts-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `rich_accounts__output`
SELECT bank, account_id, balance
FROM `accounts_cdc`
WHERE balance > 1000000
;
