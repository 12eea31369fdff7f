import { describe, expect, it } from 'vitest';
import { bootstrapList, kafkaClientConfig } from '../../src/adapters/kafka/client.js';
import { secretResolver } from '../../src/adapters/live.js';

describe('Kafka client settings from runtime.kafka', () => {
  it('splits bootstrap servers', () => {
    expect(bootstrapList({ bootstrap_servers: 'a:9092, b:9092' })).toEqual(['a:9092', 'b:9092']);
    expect(bootstrapList({ bootstrap_servers: ['a:1'] })).toEqual(['a:1']);
  });
  it('plaintext by default', () => {
    const c = kafkaClientConfig({ bootstrap_servers: 'a:9092' });
    expect(c.ssl).toBeUndefined();
    expect(c.sasl).toBeUndefined();
  });
  it('honours SASL_SSL with SCRAM', () => {
    const c = kafkaClientConfig({ bootstrap_servers: 'a:9093', security_protocol: 'SASL_SSL', sasl_mechanism: 'SCRAM-SHA-512', sasl_username: 'app', sasl_password: 'pw', client_id: 'ci' });
    expect(c.ssl).toBe(true);
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'app', password: 'pw' });
    expect(c.clientId).toBe('ci');
  });
  it('SASL_PLAINTEXT has no TLS; SSL has no SASL', () => {
    expect(kafkaClientConfig({ bootstrap_servers: 'a', security_protocol: 'SASL_PLAINTEXT', sasl_username: 'u', sasl_password: 'p' })).toMatchObject({ sasl: { mechanism: 'plain' } });
    expect(kafkaClientConfig({ bootstrap_servers: 'a', security_protocol: 'SASL_PLAINTEXT' }).ssl).toBeUndefined();
    expect(kafkaClientConfig({ bootstrap_servers: 'a', security_protocol: 'SSL' }).sasl).toBeUndefined();
  });
});

describe('secret placeholders', () => {
  it('are resolved in memory; unknown ones stay', () => {
    const r = secretResolver(new Map([['${env:DB_PASSWORD}', 's3cret']]));
    expect(r("password='${env:DB_PASSWORD}' x=${secret:other}")).toBe("password='s3cret' x=${secret:other}");
  });
});
