import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../src/compile/hash.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units, drops undefined members and writes undefined items as null', () => {
    const value = { b: 1, a: [1, undefined, { z: 'é', Z: null, _: undefined }], 'é': true, B: 'x', '10': 0, '9': 0, nested: { y: [], x: {} } };
    expect(canonicalJson(value)).toBe('{"10":0,"9":0,"B":"x","a":[1,null,{"Z":null,"z":"é"}],"b":1,"nested":{"x":{},"y":[]},"é":true}');
    expect(canonicalJson({ only: undefined })).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson('s"q')).toBe('"s\\"q"');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('hashes equal specs equally whatever their key order', () => {
    expect(contentHash({ a: 1, b: { c: [1, 2] } })).toBe(contentHash({ b: { c: [1, 2] }, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});
