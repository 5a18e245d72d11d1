/**
 * "Verify this draw": fetches GET /api/lives/:liveId/lotteries/:id/audit (or takes a pasted record) and
 * recomputes everything with the shared draw module on WebCrypto — MATCH only when every published value
 * follows from the seed and the frozen entrants.
 */
import { LotteryAudit } from '@lc/contracts/lottery.schema';
import { verifyAudit } from '@lc/contracts/lottery-draw';
import { $, el } from '../dom';
import { applyI18n, defineStrings, langSwitch, onLangChange, t } from '../i18n';
import { webDrawHash } from './web-draw-hash';
import '../styles/tokens.css';
import '../styles/base.css';
import '../styles/verify.css';

defineStrings({
  en: {
    'verify.title': 'Verify this draw',
    'verify.intro': "This page fetches the draw's audit record and recomputes the winners in your browser.",
    'verify.loading': 'Checking…',
    'verify.match': 'MATCH — the winners follow from the committed seed and the frozen entrants.',
    'verify.mismatch': 'MISMATCH — the published draw does not follow from its inputs.',
    'verify.invalid': 'Not a valid audit record: {why}',
    'verify.missing':
      'Open this page from a drawn lottery (…/verify.html?live=…&lottery=…) or paste a record.',
    'verify.pasteHeading': 'Or paste an audit record',
    'verify.pasteLabel': 'Audit record (JSON)',
    'verify.check': 'Check',
    'verify.algorithm': 'Algorithm',
    'verify.commitment': 'Commitment sha256(seed)',
    'verify.seed': 'Seed',
    'verify.entrants': 'Entrants',
    'verify.entrantsHash': 'Entrants hash',
    'verify.winners': 'Winners',
    'verify.runnersUp': 'Runners-up',
  },
  'zh-CN': {
    'verify.title': '验证本次开奖',
    'verify.intro': '本页获取开奖审计记录，并在你的浏览器中重新计算中奖者。',
    'verify.loading': '正在校验…',
    'verify.match': 'MATCH（一致）— 中奖者由承诺的种子和冻结的参与名单推出。',
    'verify.mismatch': 'MISMATCH（不一致）— 公布的结果无法由其输入推出。',
    'verify.invalid': '不是有效的审计记录：{why}',
    'verify.missing': '请从已开奖的抽奖打开本页（…/verify.html?live=…&lottery=…），或粘贴记录。',
    'verify.pasteHeading': '或粘贴审计记录',
    'verify.pasteLabel': '审计记录（JSON）',
    'verify.check': '校验',
    'verify.algorithm': '算法',
    'verify.commitment': '承诺 sha256(seed)',
    'verify.seed': '种子',
    'verify.entrants': '参与者',
    'verify.entrantsHash': '参与名单哈希',
    'verify.winners': '中奖者',
    'verify.runnersUp': '候补',
  },
});

const verdict = $('#verdict');
let last: (() => void) | null = null;

/** The verdict line; kept as a closure so a language change re-renders it with its placeholders. */
function say(key: string, state: string, vars: Record<string, string> = {}) {
  last = () => {
    verdict.textContent = t(key, vars);
  };
  last();
  verdict.dataset.state = state;
}

async function check(raw: unknown) {
  say('verify.loading', 'checking');
  $('#problems').replaceChildren();
  const parsed = LotteryAudit.safeParse(raw);
  if (!parsed.success)
    return say('verify.invalid', 'invalid', { why: parsed.error.issues[0]?.message ?? '' });
  const a = parsed.data;
  const r = verifyAudit(a, await webDrawHash(a));
  say(r.match ? 'verify.match' : 'verify.mismatch', r.match ? 'match' : 'mismatch');
  $('#problems').replaceChildren(...r.problems.map((p) => el('li', {}, p)));
  const row = (key: string, value: string) => [el('dt', { 'data-i18n': key }, t(key)), el('dd', {}, value)];
  $('#audit').replaceChildren(
    ...row('verify.algorithm', a.algorithm),
    ...row('verify.commitment', a.commitment),
    ...row('verify.seed', a.seed),
    ...row('verify.entrants', String(a.entrants.length)),
    ...row('verify.entrantsHash', a.entrantsHash),
    ...row('verify.winners', a.winners.join(', ')),
    ...row('verify.runnersUp', a.runnersUp.join(', ')),
  );
}

$('#lang-slot').replaceWith(langSwitch());
applyI18n();
onLangChange(() => last?.());

$<HTMLFormElement>('#paste-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  try {
    void check(JSON.parse($<HTMLTextAreaElement>('#audit-json').value));
  } catch (err) {
    say('verify.invalid', 'invalid', { why: (err as Error).message });
  }
});

const q = new URLSearchParams(location.search);
const liveId = q.get('live');
const lotteryId = q.get('lottery');
/** The public audit route (plain fetch: this page needs none of the live client's socket code). */
async function fetchAudit(live: string, lottery: string): Promise<unknown> {
  const res = await fetch(
    `/api/lives/${encodeURIComponent(live)}/lotteries/${encodeURIComponent(lottery)}/audit`,
  );
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(body?.error?.code ?? res.statusText);
  return body;
}

if (liveId && lotteryId) {
  fetchAudit(liveId, lotteryId)
    .then(check)
    .catch((err) => say('verify.invalid', 'invalid', { why: (err as Error).message }));
} else say('verify.missing', 'idle');
