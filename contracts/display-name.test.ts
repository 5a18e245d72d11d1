import { describe, expect, it } from 'vitest';
import { imitatedRole } from './display-name';

describe('role imitation in display names', () => {
  it.each([
    ['Host', 'host'],
    ['The Host', 'host'],
    ['HostMary', 'host'],
    ['h0st', 'host'],
    ['h.o.s.t', 'host'],
    ['Ｈｏｓｔ', 'host'],
    ['һоѕт', 'host'],
    ['𝐡𝐨𝐬𝐭', 'host'],
    ['小美主播', 'host'],
    ['主 播', 'host'],
    ['Moderator', 'moderator'],
    ['mоdеrаtоr', 'moderator'],
    ['Admin Li', 'moderator'],
    ['admin', 'moderator'],
    ['管理员', 'moderator'],
    ['房管小王', 'moderator'],
  ])('%s imitates the %s', (name, role) => {
    expect(imitatedRole(name)).toBe(role);
  });

  it.each(['ghost', 'Hostess', 'modest', 'studio_mod', 'Badminton', 'Dominic', 'viewer 🐱', '小红', 'Alice'])(
    '%s imitates nobody',
    (name) => {
      expect(imitatedRole(name)).toBeNull();
    },
  );
});
