import type { TokenClaims } from '@lc/contracts/auth.schema';
import { describe, expect, it } from 'vitest';
import { createTokens } from './tokens';

const claims = { sub: 'u1', name: 'Ann', role: 'viewer' } as unknown as TokenClaims;

describe('token verification cache', () => {
  it('serves a token that verified before, but never past its expiry', async () => {
    let clock = 1_800_000_000_000;
    const tokens = createTokens({ secret: 's'.repeat(40), ttlSeconds: 60, now: () => clock });
    const { token } = await tokens.sign(claims);
    expect(await tokens.verify(token)).toMatchObject({ sub: 'u1', role: 'viewer' });
    expect(await tokens.verify(token)).toMatchObject({ sub: 'u1' });
    clock += 59_000;
    expect(await tokens.verify(token)).toMatchObject({ sub: 'u1' });
    clock += 1_000;
    await expect(tokens.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'token expired',
    });
  });

  it('never caches a token that failed, nor accepts one signed with another secret', async () => {
    const a = createTokens({ secret: 'a'.repeat(40), ttlSeconds: 60 });
    const b = createTokens({ secret: 'b'.repeat(40), ttlSeconds: 60 });
    const { token } = await b.sign(claims);
    for (let i = 0; i < 2; i++)
      await expect(a.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const good = (await a.sign(claims)).token;
    await a.verify(good);
    const tampered = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(a.verify(tampered)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses forged tokens, even when the real one is cached: edited claims, alg none, another key', async () => {
    const tokens = createTokens({ secret: 'k'.repeat(40), ttlSeconds: 60 });
    const good = (await tokens.sign(claims)).token;
    await tokens.verify(good); // cached now
    const [h, p, sig] = good.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = [
      // The cached token's signature on a payload promoted to host.
      `${h}.${b64({ ...payload, role: 'host' })}.${sig}`,
      // The same claims, unsigned.
      `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      // Claims signed with a key the server does not hold.
      (
        await createTokens({ secret: 'x'.repeat(40), ttlSeconds: 60 }).sign({
          ...claims,
          role: 'host',
        } as TokenClaims)
      ).token,
      `${good}x`,
      good.slice(1),
    ];
    for (const t of forged) await expect(tokens.verify(t)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await tokens.verify(good)).toMatchObject({ role: 'viewer' });
  });

  it('peeks only at tokens known good and unexpired: signed or verified here, never forged', async () => {
    let clock = 1_800_000_000_000;
    const a = createTokens({ secret: 'p'.repeat(40), ttlSeconds: 60, now: () => clock });
    const b = createTokens({ secret: 'q'.repeat(40), ttlSeconds: 60, now: () => clock });
    const mine = (await a.sign(claims)).token;
    expect(a.peek(mine)).toEqual({ sub: 'u1', name: 'Ann', role: 'viewer' });
    const foreign = (await b.sign(claims)).token;
    expect(a.peek(foreign)).toBeUndefined();
    await expect(a.verify(foreign)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(a.peek(foreign)).toBeUndefined();
    const tampered = `${mine.slice(0, -2)}${mine.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(a.peek(tampered)).toBeUndefined();
    // Another node's token (same secret): unknown here until it verified.
    const other = createTokens({ secret: 'p'.repeat(40), ttlSeconds: 60, now: () => clock });
    const fromOther = (await other.sign({ ...claims, sub: 'u2' } as TokenClaims)).token;
    expect(a.peek(fromOther)).toBeUndefined();
    await a.verify(fromOther);
    expect(a.peek(fromOther)).toMatchObject({ sub: 'u2' });
    clock += 60_000;
    expect(a.peek(mine)).toBeUndefined();
    expect(a.peek(fromOther)).toBeUndefined();
  });
});
