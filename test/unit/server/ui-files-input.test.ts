// The two things web mode's file endpoint reads from a request's headers before its body: the
// job's fields (percent-encoded JSON) and the declared size. Fuzzed: any header gives fields the
// job takes, or a typed 4xx error; never a crash, never a path field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyholdError } from '../../../shared/errors.js';
import { UI_FILE_JOBS } from '../../../shared/ui/contract.js';
import { declaredSize, jobFields } from '../../../electron/server/ui-file-jobs.js';

const TAKES: Record<string, readonly string[]> = {
  encrypt: ['key_id', 'additional_key_ids', 'remote_keys', 'encryption_context', 'frame_size'],
  decrypt: ['encryption_context'],
  sign: ['key_id', 'signing_algorithm'],
  verify: ['signature_record'],
  backup: ['current_password'],
  restore: ['current_password', 'backup_password'],
};

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyholdError);
    expect((e as KeyholdError).status).toBeGreaterThanOrEqual(400);
    expect((e as KeyholdError).status).toBeLessThan(500);
    return e;
  }
}

describe('web file job headers', () => {
  it("fields: any header is the job's own fields or a 4xx KeyholdError", () => {
    const job = fc.constantFrom(...UI_FILE_JOBS);
    const header = fc.oneof(
      fc.string(),
      fc.string().map(encodeURIComponent),
      fc
        .dictionary(
          fc.constantFrom('key_id', 'in', 'out', 'signature', 'public_key', 'force', 'signature_record', 'current_password', '__proto__', 'constructor'),
          fc.jsonValue(),
        )
        .map((o) => encodeURIComponent(JSON.stringify(o))),
      fc.jsonValue().map((v) => encodeURIComponent(JSON.stringify(v))),
    );
    fc.assert(
      fc.property(job, header, (j, h) => {
        const r = outcome(() => jobFields(j, h));
        if (!(r instanceof KeyholdError)) {
          for (const k of Object.keys(r as object)) expect(TAKES[j]).toContain(k);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a path field is refused by name for every job whose operation has one', () => {
    for (const [job, field] of [
      ['encrypt', 'in'],
      ['decrypt', 'out'],
      ['sign', 'out'],
      ['verify', 'signature'],
      ['verify', 'public_key'],
      ['backup', 'out'],
    ] as const) {
      expect(() => jobFields(job, encodeURIComponent(JSON.stringify({ [field]: '/etc/passwd' })))).toThrow(
        `Invalid parameter ${field}: it names a file by path`,
      );
    }
  });

  it('size: any Content-Length is a size within the bound, or 400/411/413', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...UI_FILE_JOBS),
        fc.option(fc.oneof(fc.string(), fc.nat().map(String), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String)), { nil: undefined }),
        (job, header) => {
          const r = outcome(() => declaredSize(job, header, 1024));
          if (typeof r === 'number') expect(r).toBeLessThanOrEqual(1024);
          else expect([400, 411, 413]).toContain((r as KeyholdError).status);
        },
      ),
      { numRuns: 2000 },
    );
    expect(() => declaredSize('encrypt', '1025', 1024)).toThrow(expect.objectContaining({ code: 'UI.0413', status: 413 }));
    expect(() => declaredSize('encrypt', undefined, 1024)).toThrow(expect.objectContaining({ code: 'UI.0411' }));
    expect(declaredSize('encrypt', '1024', 1024)).toBe(1024);
  });
});
