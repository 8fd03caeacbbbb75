/**
 * Random passwords from character classes, every choice by crypto.randomInt (uniform, no
 * modulo bias). A request that no password can satisfy is refused instead of weakened.
 */
import { randomInt } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

export interface PasswordRequest {
  length: number;
  exclude_characters: string;
  exclude_lowercase: boolean;
  exclude_uppercase: boolean;
  exclude_numbers: boolean;
  exclude_punctuation: boolean;
  include_space: boolean;
  require_each_included_type: boolean;
}

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
} as const;

export const DEFAULT_PASSWORD: PasswordRequest = {
  length: 32,
  exclude_characters: '',
  exclude_lowercase: false,
  exclude_uppercase: false,
  exclude_numbers: false,
  exclude_punctuation: false,
  include_space: false,
  require_each_included_type: true,
};

function impossible(why: string): KeyholdError {
  return new KeyholdError(CsmsErrors.Invalid, `Invalid password request: ${why}.`, 400);
}

function pick(pool: string): string {
  return pool[randomInt(pool.length)] as string;
}

export function generatePassword(req: PasswordRequest): string {
  const excluded = new Set(req.exclude_characters);
  const wanted: [string, boolean][] = [
    ['lowercase', !req.exclude_lowercase],
    ['uppercase', !req.exclude_uppercase],
    ['numbers', !req.exclude_numbers],
    ['punctuation', !req.exclude_punctuation],
    ['space', req.include_space],
  ];
  const pools: string[] = [];
  for (const [name, on] of wanted) {
    if (!on) continue;
    const pool = [...CLASSES[name as keyof typeof CLASSES]].filter((c) => !excluded.has(c)).join('');
    if (!pool && req.require_each_included_type) throw impossible(`exclude_characters removes every ${name} character, yet each included type is required`);
    if (pool) pools.push(pool);
  }
  if (!pools.length) throw impossible('no character is left to choose from');
  if (req.require_each_included_type && req.length < pools.length) {
    throw impossible(`a password of length ${req.length} cannot hold one character of each of the ${pools.length} included types`);
  }
  const all = pools.join('');
  const chars = req.require_each_included_type ? pools.map(pick) : [];
  while (chars.length < req.length) chars.push(pick(all));
  // Fisher-Yates, so the required characters are not always at the front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
