/** Node's implementation of the draw's hashing (`DrawHash`), plus the seed generator. Node only (node:crypto): browsers use client/src/verify/web-draw-hash.ts. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { DrawHash } from './lottery-draw';

export const nodeDrawHash: DrawHash = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256Hex: (key, msg) => createHmac('sha256', key).update(msg).digest('hex'),
};

/** 32 random bytes as lowercase hex. */
export const newSeed = () => randomBytes(32).toString('hex');
