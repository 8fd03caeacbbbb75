// The attack of issue #16 as a property: sign a random valid request, change exactly one thing
// the signature must cover (or add an unsigned content-hash header, the replay with another
// body) and the verifier answers 401; the request as signed passes.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, signRequest, type SignableRequest } from '../../../electron/core/api/index.js';
import { akskAuthenticator } from '../../../electron/server/aksk.js';
import { sdkDate, signature } from '../../../electron/core/remote/signer.js';
import { accessKeyOf, newSession } from '../../helpers/vault.js';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 0);
let session: Session;
let credential: { access: string; secret: string };
beforeAll(async () => {
  ({ session } = await newSession());
  credential = await accessKeyOf(session);
});
afterAll(() => session.close());

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The request as node:http would hand it to the authenticator: lower-case header names. */
function received(r: SignableRequest) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  const search = new URLSearchParams(r.query).toString();
  return { req: { method: r.method, headers } as never, url: new URL(`${r.path}${search ? `?${search}` : ''}`, 'http://keyhold.local'), body: r.body };
}

function verdict(r: SignableRequest): 'ok' | string {
  const { req, url, body } = received(r);
  try {
    akskAuthenticator(session, () => NOW)(req, url)!(body);
    return 'ok';
  } catch (e) {
    return `${(e as { status?: number }).status}`;
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const word = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const arbRequest = fc.record({
  method: fc.constantFrom(...METHODS),
  segments: fc.array(word, { minLength: 1, maxLength: 4 }),
  query: fc.array(fc.tuple(word, fc.string({ maxLength: 8 })), { maxLength: 3 }),
  extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,6}$/), fc.stringMatching(/^[!-~]{1,12}$/), { maxKeys: 2 }),
  body: fc.uint8Array({ maxLength: 64 }),
  hashHeader: fc.boolean(),
});

type Generated = typeof arbRequest extends fc.Arbitrary<infer T> ? T : never;

function signed(a: Generated): SignableRequest {
  const body = Buffer.from(a.body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...a.extra };
  // A content-hash header the signature covers and that tells the truth is honoured.
  if (a.hashHeader) headers['X-Sdk-Content-Sha256'] = sha256(body);
  const r: SignableRequest = { method: a.method, path: `/${a.segments.join('/')}`, query: a.query, headers, body };
  signRequest(r, credential, { host: '127.0.0.1:8443', now: new Date(NOW) });
  return r;
}

type Mutation = (r: SignableRequest, pick: number) => SignableRequest;
const clone = (r: SignableRequest): SignableRequest => ({ ...r, query: r.query.map(([k, v]) => [k, v]), headers: { ...r.headers }, body: Buffer.from(r.body) });
const signedNames = (r: SignableRequest) => /SignedHeaders=([^,]+)/.exec(r.headers.Authorization!)![1]!.split(';');
const headerKey = (r: SignableRequest, lower: string) => Object.keys(r.headers).find((k) => k.toLowerCase() === lower)!;

const MUTATIONS: Record<string, Mutation> = {
  method: (r, pick) => ({ ...clone(r), method: METHODS.filter((m) => m !== r.method)[pick % 3]! }),
  path: (r) => ({ ...clone(r), path: `${r.path}/x` }),
  'query parameter': (r, pick) => {
    const c = clone(r);
    if (c.query.length === 0) c.query.push(['added', '1']);
    else c.query[pick % c.query.length]![1] += 'x';
    return c;
  },
  'signed header': (r, pick) => {
    const c = clone(r);
    const names = signedNames(r).filter((n) => n !== 'x-sdk-date');
    const key = headerKey(c, names[pick % names.length]!);
    c.headers[key] = key.toLowerCase() === 'x-sdk-content-sha256' ? sha256(Buffer.from('other')) : `${c.headers[key]}x`;
    return c;
  },
  'body byte': (r, pick) => {
    const c = clone(r);
    if (c.body.length === 0) c.body = Buffer.from([pick & 0xff]);
    else c.body[pick % c.body.length]! ^= 1 + (pick % 255);
    return c;
  },
  date: (r, pick) => {
    const c = clone(r);
    c.headers[headerKey(c, 'x-sdk-date')] = sdkDate(new Date(NOW + 1000 * (1 + (pick % 600))));
    return c;
  },
  'unsigned content-hash header': (r) => {
    const c = clone(r);
    if (!signedNames(r).includes('x-sdk-content-sha256')) c.headers['X-Sdk-Content-Sha256'] = sha256(c.body);
    else {
      // Already signed: the same attack is a header that names another body's hash.
      c.headers[headerKey(c, 'x-sdk-content-sha256')] = sha256(Buffer.concat([c.body, Buffer.from('!')]));
    }
    return c;
  },
};

describe('AK/SK verification holds against any one change (property)', () => {
  it('the signed request passes; each single mutation answers 401', () => {
    fc.assert(
      fc.property(arbRequest, fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(), (a, kind, pick) => {
        const r = signed(a);
        expect(verdict(r)).toBe('ok');
        expect([kind, verdict(MUTATIONS[kind]!(r, pick))]).toEqual([kind, '401']);
      }),
      { numRuns: 400 },
    );
  });

  it('a body whose hash is claimed in an unsigned header is refused: the captured decrypt-data replay', () => {
    const original = signed({
      method: 'POST',
      segments: ['v1.0', 'p', 'kms', 'decrypt-data'],
      query: [],
      extra: {},
      body: Uint8Array.from(Buffer.from('{"cipher_text":"A"}')),
      hashHeader: false,
    });
    const replay = { ...clone(original), body: Buffer.from('{"cipher_text":"B"}') };
    replay.headers['X-Sdk-Content-Sha256'] = sha256(original.body);
    expect(verdict(replay)).toBe('401');
  });

  it("refuses a signed UNSIGNED-PAYLOAD and a signed hash that is not the body's", () => {
    for (const claim of ['UNSIGNED-PAYLOAD', sha256(Buffer.from('something else'))]) {
      const r: SignableRequest = {
        method: 'POST',
        path: '/v1.0/p/kms/list-keys',
        query: [],
        headers: { 'Content-Type': 'application/json', 'X-Sdk-Content-Sha256': claim },
        body: Buffer.from('{}'),
      };
      signRequest(r, credential, { host: '127.0.0.1:8443', now: new Date(NOW) });
      expect(verdict(r)).toBe('401');
    }
  });

  it('refuses a signature that does not cover host, whatever Host the request carries', () => {
    const names = ['content-type', 'x-sdk-date'];
    const r: SignableRequest = {
      method: 'POST',
      path: '/v1.0/p/kms/list-keys',
      query: [],
      headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': sdkDate(new Date(NOW)), Host: 'attacker.example' },
      body: Buffer.from('{}'),
    };
    r.headers.Authorization = `SDK-HMAC-SHA256 Access=${credential.access}, SignedHeaders=${names.join(';')}, Signature=${signature(r, names, credential.secret)}`;
    expect(verdict(r)).toBe('401');
  });
});

describe('AK/SK verification of arbitrary headers (fuzz)', () => {
  it('ends in a caller, "not my scheme" or a 401 KeyholdError: never a crash', () => {
    const name = fc.constantFrom('host', 'x-sdk-date', 'x-sdk-content-sha256', 'content-type', '__proto__', 'constructor', 'toString', 'x-a');
    const authorization = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .tuple(fc.array(name, { maxLength: 6 }), fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom(credential.access, 'UNKNOWN'))
        .map(([names, sig, ak]) => `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=${names.join(';')}, Signature=${sig}`),
    );
    fc.assert(
      fc.property(
        authorization,
        fc.dictionary(name, fc.oneof(fc.string({ maxLength: 40 }), fc.constant(sdkDate(new Date(NOW))))),
        fc.uint8Array({ maxLength: 32 }),
        (auth, headers, body) => {
          const req = { method: 'POST', headers: { ...headers, authorization: auth } } as never;
          try {
            const verify = akskAuthenticator(session, () => NOW)(req, new URL('http://keyhold.local/v1.0/p/kms/list-keys'));
            if (verify) verify(Buffer.from(body));
          } catch (e) {
            expect(e).toMatchObject({ name: 'KeyholdError', status: 401 });
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
