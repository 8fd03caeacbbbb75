// The official vectors of reference §2.3 (Huawei's Python and Go SDK tests), not our own output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodeUnreserved,
  parseAuthorization,
  signRequest,
  signature,
  stringToSign,
  verifySignature,
  type SignableRequest,
} from '../../../electron/core/remote/signer.js';

const creds = { access: 'AccessKey', secret: 'SecretKey' };

function pythonGet(): SignableRequest {
  return {
    method: 'GET',
    path: '/resources',
    query: [['size', '1']],
    headers: { 'X-Sdk-Date': '20200608T023900Z', TEST_UNDERSCORE: 'TEST_VALUE' },
    body: Buffer.alloc(0),
  };
}

describe('SDK-HMAC-SHA256 signer', () => {
  it('matches the Python SDK GET vector (canonical request, string to sign, header)', () => {
    const req = pythonGet();
    signRequest(req, creds, { host: 'service.endpoint.myhuaweicloud.com' });
    const canonical = canonicalRequest(req, ['host', 'x-sdk-date']);
    expect(canonical).toBe(
      'GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\nx-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(stringToSign(canonical, '20200608T023900Z')).toBe(
      'SDK-HMAC-SHA256\n20200608T023900Z\nde94dd1e1ccdb730b403ce35d7e14f7c7b04337f6def1c3a3a2ba936852b133f',
    );
    expect(req.headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842',
    );
  });

  it('matches the Python SDK POST vector', () => {
    const req: SignableRequest = { ...pythonGet(), method: 'POST', body: Buffer.from('{"name":"test","id":1}') };
    req.headers.Host = 'service.endpoint.myhuaweicloud.com';
    expect(signature(req, ['host', 'x-sdk-date'], creds.secret)).toBe('436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
  });

  it('matches the Go SDK vectors (only x-sdk-date signed; the JSON body ends with a newline)', () => {
    const get: SignableRequest = {
      method: 'GET',
      path: '/path',
      query: [['limit', '1']],
      headers: { 'X-Sdk-Date': '20060102T150405Z' },
      body: Buffer.alloc(0),
    };
    expect(signature(get, ['x-sdk-date'], creds.secret)).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
    const post: SignableRequest = {
      method: 'POST',
      path: '/path',
      query: [['key', 'value']],
      headers: { 'X-Sdk-Date': '20060102T150405Z' },
      body: Buffer.from('{"Name":"test","Id":1}\n'),
    };
    expect(signature(post, ['x-sdk-date'], creds.secret)).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });

  it('canonicalises a path segment by segment, decoded then encoded; plain paths as they are', () => {
    const decode = (seg: string) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    };
    const slow = (path: string) => {
      const uri = path
        .split('/')
        .map((seg) => encodeUnreserved(decode(seg)))
        .join('/');
      return uri.endsWith('/') ? uri : `${uri}/`;
    };
    const path = fc.array(fc.constantFrom(..."/aZ09-_.~%2F!*()'é ".split(''), '%20', '%zz', '%E4%B8%80'), { maxLength: 20 }).map((a) => a.join(''));
    fc.assert(
      fc.property(path, (p) => {
        expect(canonicalUri(p)).toBe(slow(p));
      }),
      { numRuns: 5000 },
    );
    expect(canonicalUri('/v1.0/abc/kms/encrypt-data')).toBe('/v1.0/abc/kms/encrypt-data/');
  });

  it('canonicalises the query as both SDKs do', () => {
    const q: [string, string][] = [
      ['limit', '1'],
      ['enable', 'true'],
      ['test', '一 (&=?!#%.*)'],
      ['path', '/tmp/123'],
      ['multi', '3'],
      ['multi', '1'],
      ['multi', '2'],
    ];
    expect(canonicalQuery(q)).toBe('enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29');
  });

  it('verifies what it signs and rejects any change', () => {
    const req = pythonGet();
    signRequest(req, creds, { host: 'h' });
    const auth = parseAuthorization(req.headers.Authorization)!;
    expect(verifySignature(req, auth, creds.secret)).toBe(true);
    expect(verifySignature({ ...req, query: [['size', '2']] }, auth, creds.secret)).toBe(false);
    expect(verifySignature(req, auth, 'OtherSecret')).toBe(false);
  });

  it('as a client, always signs host and the hash of the body itself (a content-hash header changes nothing)', () => {
    const body = Buffer.from('{"name":"test","id":1}');
    const plain: SignableRequest = { ...pythonGet(), method: 'POST', body };
    signRequest(plain, creds, { host: 'service.endpoint.myhuaweicloud.com' });
    expect(parseAuthorization(plain.headers.Authorization)!.signedHeaders).toEqual(['host', 'x-sdk-date']);
    // The Python POST vector of reference §2.3: its last line is the body's SHA-256.
    expect(plain.headers.Authorization).toContain('Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
    const lying: SignableRequest = {
      ...pythonGet(),
      method: 'POST',
      body,
      headers: { ...pythonGet().headers, 'X-Sdk-Content-Sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    };
    expect(canonicalRequest(lying, ['host', 'x-sdk-date']).endsWith('\n8ed555081b9961769014bc1182c629bb0fe68d7b01c1fc1caab4dc791f377e8c')).toBe(true);
    expect(() => signRequest({ ...pythonGet(), headers: { 'X-Sdk-Date': '20200608T023900Z' } }, creds)).toThrow(expect.objectContaining({ code: 'CLI.0002' }));
  });

  it('refuses malformed Authorization headers', () => {
    for (const h of ['', 'Bearer x', 'SDK-HMAC-SHA256 Access=a', 'SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=zz'])
      expect(parseAuthorization(h)).toBeNull();
  });
});
