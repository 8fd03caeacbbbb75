/** Key rotation (reference §4.3 Rotation). */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { keyId, KMS_VALIDATION, kmsValidation, sequence, type Empty } from './common.js';

const keyRef = z.object({ key_id: keyId, sequence });

export const rotationOperations = {
  enableKeyRotation: defineOp({
    service: 'kms',
    name: 'enable-key-rotation',
    summary: 'Rotate an AES_256 key automatically every rotation_interval days (default 365); due rotations run when the vault opens.',
    input: keyRef,
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/enable-key-rotation' },
    mutates: true,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  disableKeyRotation: defineOp({
    service: 'kms',
    name: 'disable-key-rotation',
    summary: 'Stop automatic rotation; existing versions keep decrypting.',
    input: keyRef,
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/disable-key-rotation' },
    mutates: true,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  updateKeyRotationInterval: defineOp({
    service: 'kms',
    name: 'update-key-rotation-interval',
    summary: 'Set the rotation interval: an integer from 30 to 365 days (rotation must be enabled).',
    input: z.object({
      key_id: keyId,
      rotation_interval: z.number().int('must be an integer').min(30, 'must be 30-365 days').max(365, 'must be 30-365 days'),
      sequence,
    }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/update-key-rotation-interval' },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['rotation_interval'] },
    validation: kmsValidation({}),
  }),
  getKeyRotationStatus: defineOp({
    service: 'kms',
    name: 'get-key-rotation-status',
    aliases: ['show-key-rotation-status'],
    summary: 'Rotation status: enabled (a boolean here), interval, last rotation time (ms) and count.',
    input: keyRef,
    output: out<{ key_rotation_enabled: boolean; rotation_interval: number; last_rotation_time: string; number_of_rotations: number }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/get-key-rotation-status' },
    mutates: false,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  rotateOnDemand: defineOp({
    service: 'kms',
    name: 'rotate-on-demand',
    summary: 'Rotate an AES_256 key now: a new version encrypts, old versions keep decrypting.',
    input: keyRef,
    output: out<{ key_id: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/rotate-on-demand' },
    mutates: true,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
} as const;
