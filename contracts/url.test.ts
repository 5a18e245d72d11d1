import { describe, expect, it } from 'vitest';
import { userUrlProblem } from './url';
import { userUrl } from './url.schema';

describe('user URLs', () => {
  it('accepts https, and http only where allowed', () => {
    expect(userUrlProblem('https://img.example/tea.jpg')).toBeNull();
    expect(userUrlProblem('https://例子.测试/图.jpg')).toBeNull();
    expect(userUrlProblem('http://img.example/a.png')).toMatch(/https/);
    expect(userUrlProblem('http://img.example/a.png', { allowHttp: true })).toBeNull();
  });

  it.each([
    ['an attribute break-out', 'https://x/"><img src=x onerror=alert(2)>'],
    ['a single quote', "https://x/a'b"],
    ['a backslash', 'https:\\\\evil.example'],
    ['a space', 'https://x/a b'],
    ['a bidi override', 'https://x/\u202Egpj.exe'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:image/png;base64,AAAA'],
    ['credentials', 'https://user:pw@x.example/a'],
    ['a relative URL', '//x.example/a'],
    ['a very long URL', `https://x.example/${'a'.repeat(2100)}`],
  ])('refuses %s', (_, url) => {
    expect(userUrlProblem(url, { allowHttp: true })).not.toBeNull();
    expect(userUrl({ allowHttp: true }).safeParse(url).success).toBe(false);
  });
});
