import { describe, expect, it } from 'vitest';
import { missingTranslations } from './i18n';
// Every area's strings, as the three pages register them.
import './analytics/analytics-strings';
import './replay/replay-strings';
import './room-view';
import './studio/dashboard-strings';
import './studio/strings';
import './viewer/chrome-strings';
import './viewer/strings';

describe('translations', () => {
  it('every string of the viewer, the studio and the shared room view exists in en and zh-CN', () => {
    expect(missingTranslations()).toEqual([]);
  });
});
