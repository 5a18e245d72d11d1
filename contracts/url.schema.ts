/** The zod schema of a user URL (rules in ./url, shared with clients that carry no zod). */
import { z } from 'zod';
import { type UrlRules, USER_URL_MAX, userUrlProblem } from './url';

/** A zod schema for a user URL (trimmed, then checked by `userUrlProblem`). */
export function userUrl(rules: UrlRules = {}) {
  return z
    .string()
    .max(USER_URL_MAX + 64)
    .transform((s) => s.trim())
    .superRefine((s, ctx) => {
      const problem = userUrlProblem(s, rules);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
