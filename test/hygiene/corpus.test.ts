/**
 * Every user-supplied text field, over the transport that carries it (HTTP and Socket.IO), against the hostile
 * corpus: each input is refused with a stable code or stored normalized, as read back from the server.
 */
import { randomBytes } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { KeywordList } from '@lc/contracts/comment.schema';
import type { Coupon, Product } from '@lc/contracts/commerce.schema';
import type { Lottery, LotterySnapshot } from '@lc/contracts/lottery.schema';
import type { ModerationAction, ModerationSnapshot } from '@lc/contracts/moderation.schema';
import type { Question } from '@lc/contracts/qa.schema';
import type { RoomSnapshot } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lotteryPrizesStep } from '../../server/src/features/lottery/lottery.jobs';
import { CORPUS, runCorpus, type Submitted } from '../hostile-corpus';
import { joinAs, type RoomClient } from '../interaction';
import { call, connect, guest, hostWithLive, http, startServer, type TestServer } from '../server';

type Reply<T> = { status: number; body: T };
const refusal = (r: Reply<unknown>): Submitted => ({
  ok: false,
  code: (r.body as { error?: { code?: string } }).error?.code ?? `HTTP ${r.status}`,
});
const nack = (r: { ok: false; error: { code: string } }): Submitted => ({ ok: false, code: r.error.code });

describe('hostile text corpus on every field', () => {
  let s: TestServer;
  let liveId: string;
  let hostToken: string;
  let host: RoomClient;
  let couponId: string;
  beforeAll(async () => {
    s = await startServer({
      env: {
        COMMENT_RATE_COUNT: '1000',
        QUESTION_RATE_COUNT: '1000',
        QUESTION_RATE_WINDOW_MS: '1000',
        // Read-backs must see each write (like goals log no room event).
        SNAPSHOT_CACHE_MS: '0',
      },
    });
    const h = await hostWithLive(s);
    liveId = h.liveId;
    hostToken = h.host.token;
    host = await joinAs(s, h.host, liveId);
    const c = await http<Coupon>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', amountOff: 100, title: 'Prize', currency: 'CNY', quota: 10 },
      hostToken,
    );
    couponId = c.body.id;
  });
  afterAll(async () => {
    host?.close();
    await s?.close();
  });

  const snapshot = async () =>
    (await http<RoomSnapshot>(s, 'GET', `/api/lives/${liveId}/snapshot`, undefined, hostToken)).body;

  describe('over HTTP', () => {
    it('guest display names', async () => {
      await runCorpus('guest name', { max: 32, role: 'viewer' }, async (displayName) => {
        const r = await http<{ token: string }>(s, 'POST', '/api/auth/guest', { displayName });
        if (r.status !== 200) return refusal(r);
        const me = await http<{ user: TokenClaims }>(s, 'GET', '/api/me', undefined, r.body.token);
        return { ok: true, stored: me.body.user.name };
      });
      // A guest may not pass for the host or a moderator, however it is spelled.
      for (const name of ['host', '主播小美', 'm0derator', 'Admin Li', 'һоѕт', '管理员']) {
        const r = await http(s, 'POST', '/api/auth/guest', { displayName: name });
        expect(r, name).toMatchObject({ status: 422, body: { error: { code: 'NAME_RESERVED' } } });
      }
    });

    it('host display names (register)', async () => {
      await runCorpus('host name', { max: 32, role: 'host' }, async (displayName) => {
        const username = `h${randomBytes(6).toString('hex')}`;
        const r = await http<{ token: string }>(s, 'POST', '/api/auth/register', {
          username,
          password: 'correct horse',
          displayName,
        });
        if (r.status !== 201) return refusal(r);
        const login = await http<{ user: { displayName: string } }>(s, 'POST', '/api/auth/login', {
          username,
          password: 'correct horse',
        });
        return { ok: true, stored: login.body.user.displayName };
      });
      const moderatorName = await http(s, 'POST', '/api/auth/register', {
        username: `h${randomBytes(6).toString('hex')}`,
        password: 'correct horse',
        displayName: 'Moderator Li',
      });
      expect(moderatorName).toMatchObject({ status: 422, body: { error: { code: 'NAME_RESERVED' } } });
    });

    it('live titles', async () => {
      await runCorpus('live title', { max: 120 }, async (title) => {
        const r = await http<{ id: string }>(s, 'POST', '/api/lives', { title }, hostToken);
        if (r.status !== 201) return refusal(r);
        return {
          ok: true,
          stored: (await http<{ title: string }>(s, 'GET', `/api/lives/${r.body.id}`)).body.title,
        };
      });
    });

    it('product titles, added and changed', async () => {
      const products = async () =>
        (await http<{ products: Product[] }>(s, 'GET', `/api/lives/${liveId}/products`, undefined, hostToken))
          .body.products;
      let last = '';
      await runCorpus('product title', { max: 120 }, async (title) => {
        const body = { title, price: 100, currency: 'CNY', stock: 1 };
        const r = await http<Product>(s, 'POST', `/api/lives/${liveId}/products`, body, hostToken);
        if (r.status !== 201) return refusal(r);
        last = r.body.id;
        return { ok: true, stored: (await products()).find((p) => p.id === r.body.id)!.title };
      });
      await runCorpus('product title (patch)', { max: 120 }, async (title) => {
        const r = await http(s, 'PATCH', `/api/lives/${liveId}/products/${last}`, { title }, hostToken);
        if (r.status !== 200) return refusal(r);
        return { ok: true, stored: (await products()).find((p) => p.id === last)!.title };
      });
    });

    it('coupon titles', async () => {
      await runCorpus('coupon title', { max: 60 }, async (title) => {
        const body = { kind: 'amount_off', amountOff: 100, title, currency: 'CNY', quota: 5 };
        const r = await http<Coupon>(s, 'POST', `/api/lives/${liveId}/coupons`, body, hostToken);
        if (r.status !== 201) return refusal(r);
        const list = await http<{ coupons: Coupon[] }>(
          s,
          'GET',
          `/api/lives/${liveId}/coupons`,
          undefined,
          hostToken,
        );
        return { ok: true, stored: list.body.coupons.find((c) => c.id === r.body.id)!.title };
      });
    });

    it('keyword lists', async () => {
      // Their own live: a block list would block the comments of the other tests.
      const { liveId: kwLive, host: kwHost } = await hostWithLive(s);
      await runCorpus('keyword term', { max: 50 }, async (term, i) => {
        const path = `/api/lives/${kwLive}/keywords/list${i}`;
        const r = await http(s, 'PUT', path, { action: 'mask', terms: [term] }, kwHost.token);
        if (r.status !== 200) return refusal(r);
        const lists = await http<{ lists: KeywordList[] }>(
          s,
          'GET',
          `/api/lives/${kwLive}/keywords`,
          undefined,
          kwHost.token,
        );
        return { ok: true, stored: lists.body.lists.find((l) => l.name === `list${i}`)!.terms[0]! };
      });
    });
  });

  describe('over Socket.IO', () => {
    it('comments', async () => {
      await runCorpus('comment', { max: 200 }, async (text) => {
        const r = await call<{ comment: { id: string } }>(host.socket, 'comment:send', { liveId, text });
        if (!r.ok) return nack(r);
        const recent = (await snapshot()).features.comments as {
          recent: Array<{ id: string; text: string }>;
        };
        return { ok: true, stored: recent.recent.find((c) => c.id === r.data.comment.id)!.text };
      });
    });

    it('questions (Q&A)', async () => {
      await runCorpus('question', { max: 300 }, async (text) => {
        const r = await call<{ question: Question }>(host.socket, 'qa:ask', { liveId, text });
        if (!r.ok) return nack(r);
        const qs = await http<{ questions: Question[] }>(
          s,
          'GET',
          `/api/lives/${liveId}/questions`,
          undefined,
          hostToken,
        );
        return { ok: true, stored: qs.body.questions.find((q) => q.id === r.data.question.id)!.text };
      });
    });

    const openPoll = async (question: string, options: string[]) => {
      const r = await call<{ poll: { id: string } }>(host.socket, 'poll:create', {
        liveId,
        question,
        options,
        durationSec: 60,
      });
      if (!r.ok) return { r, poll: null };
      const poll = ((await snapshot()).features.poll as { poll: { question: string; options: string[] } })
        .poll;
      await call(host.socket, 'poll:close', { liveId, pollId: r.data.poll.id });
      return { r, poll };
    };

    it('poll questions and options', async () => {
      await runCorpus('poll question', { max: 200 }, async (question) => {
        const { r, poll } = await openPoll(question, ['yes', 'no']);
        return r.ok ? { ok: true, stored: poll!.question } : nack(r);
      });
      await runCorpus('poll option', { max: 80 }, async (option) => {
        const { r, poll } = await openPoll('Which?', ['fixed option', option]);
        return r.ok ? { ok: true, stored: poll!.options[1]! } : nack(r);
      });
    });

    it('announcements (live:announce) and the pinned announcement (mod:pin)', async () => {
      await runCorpus('announcement', { max: 500 }, async (text) => {
        const r = await call<{ seq: number }>(host.socket, 'live:announce', { liveId, text });
        if (!r.ok) return nack(r);
        const ev = (await snapshot()).recent.find((e) => e.seq === r.data.seq)!;
        return { ok: true, stored: (ev.data as { text: string }).text };
      });
      await runCorpus('pinned announcement', { max: 500 }, async (text) => {
        const r = await call(host.socket, 'mod:pin', { liveId, text });
        if (!r.ok) return nack(r);
        return {
          ok: true,
          stored: ((await snapshot()).features.moderation as ModerationSnapshot).pinned!.text,
        };
      });
    });

    it('lottery titles and keywords', async () => {
      const create = async (title: string, keyword?: string) => {
        const r = await call<{ lottery: Lottery }>(host.socket, 'lottery:create', {
          liveId,
          title,
          prize: { kind: 'coupon', couponId },
          winners: 1,
          durationSec: 60,
          ...(keyword !== undefined ? { rules: { keyword } } : {}),
        });
        if (!r.ok) return { r, lottery: null };
        const lottery = ((await snapshot()).features.lottery as LotterySnapshot).lottery!;
        const drawn = await call(host.socket, 'lottery:draw', { liveId, lotteryId: r.data.lottery.id });
        expect(drawn.ok).toBe(true);
        return { r, lottery };
      };
      await runCorpus('lottery title', { max: 120 }, async (title) => {
        const { r, lottery } = await create(title);
        return r.ok ? { ok: true, stored: lottery!.title } : nack(r);
      });
      await runCorpus('lottery keyword', { max: 40 }, async (keyword) => {
        const { r, lottery } = await create('Keyword lottery', keyword);
        return r.ok ? { ok: true, stored: lottery!.rules.keyword! } : nack(r);
      });
    });

    it('like goal labels and ban reasons', async () => {
      await runCorpus('like goal label', { max: 60 }, async (label, i) => {
        const r = await call<{ goal: { id: string } }>(host.socket, 'like:goal:add', {
          liveId,
          threshold: 1_000_000 + i,
          label,
        });
        if (!r.ok) return nack(r);
        const goals = ((await snapshot()).features.likes as { goals: Array<{ id: string; label: string }> })
          .goals;
        return { ok: true, stored: goals.find((g) => g.id === r.data.goal.id)!.label };
      });
      await runCorpus('ban reason', { max: 200 }, async (reason, i) => {
        const userId = `g_corpus_${i}`;
        const r = await call(host.socket, 'mod:ban', { liveId, userId, reason });
        if (!r.ok) return nack(r);
        const log = await http<{ actions: ModerationAction[] }>(
          s,
          'GET',
          `/api/lives/${liveId}/moderation/actions`,
          undefined,
          hostToken,
        );
        const ban = log.body.actions.find((a) => a.action === 'ban' && a.targetUserId === userId)!;
        return { ok: true, stored: ban.detail.reason as string };
      });
    });
  });

  it('shipping addresses of prize claims, over HTTP and Socket.IO', async () => {
    const { liveId: prizeLive, host: prizeHost } = await hostWithLive(s);
    const hostC = await joinAs(s, prizeHost, prizeLive);
    const product = await http<Product>(
      s,
      'POST',
      `/api/lives/${prizeLive}/products`,
      { title: 'Prize tea', price: 100, currency: 'CNY', stock: 1000 },
      prizeHost.token,
    );
    const n = CORPUS.length * 3;
    const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
      liveId: prizeLive,
      title: 'Shipping',
      prize: { kind: 'product', productId: product.body.id },
      winners: n,
      durationSec: 600,
    });
    if (!created.ok) throw new Error(created.error.code);
    const lotteryId = created.data.lottery.id;
    const winners = await Promise.all(Array.from({ length: n }, (_, i) => guest(s, `winner ${i}`)));
    for (const w of winners) {
      await s.built
        .use('lottery')
        .enter(
          { sub: w.user.id, name: w.user.displayName, role: 'viewer' } as TokenClaims,
          prizeLive,
          lotteryId,
        );
    }
    expect((await call(hostC.socket, 'lottery:draw', { liveId: prizeLive, lotteryId })).ok).toBe(true);
    hostC.close();
    const { db, redis, keys } = s.built.deps;
    await lotteryPrizesStep({ claimMs: 600_000 }).run({
      liveId: prizeLive,
      endedAt: new Date().toISOString(),
      db,
      redis,
      keys,
      log: console,
      progress: async () => {},
    } as never);

    const valid = { name: '王小明', phone: '+86 138 0000 0000', address: '1 Road\nShanghai' };
    let next = 0;
    const claim = (field: 'name' | 'phone' | 'address') => async (text: string, i: number) => {
      const w = winners[next]!;
      const shipping = { ...valid, [field]: text };
      // Even inputs over HTTP, odd ones over the socket: both transports see every field.
      let res: Submitted;
      if (i % 2 === 0) {
        const r = await http(
          s,
          'POST',
          `/api/lives/${prizeLive}/lotteries/${lotteryId}/claim`,
          shipping,
          w.token,
        );
        res = r.status === 200 ? { ok: true, stored: '' } : refusal(r);
      } else {
        const sock = await connect(s, w.token);
        const r = await call(sock, 'lottery:claim', { liveId: prizeLive, lotteryId, shipping });
        sock.close();
        res = r.ok ? { ok: true, stored: '' } : nack(r);
      }
      if (!res.ok) return res;
      next++;
      const row = await db.query<{ shipping: Record<string, string> }>(
        'SELECT shipping FROM lottery_prizes WHERE lottery_id = $1 AND user_id = $2',
        [lotteryId, w.user.id],
      );
      return { ok: true, stored: row.rows[0]!.shipping[field]! } as Submitted;
    };
    await runCorpus('shipping name', { max: 80 }, claim('name'));
    await runCorpus('shipping phone', { max: 32, min: 3 }, claim('phone'));
    const { stored } = await runCorpus('shipping address', { max: 300, multiline: true }, claim('address'));
    // Line breaks are the address's own: kept (CRLF as \n, at most one blank line), never folded away.
    expect(stored).toContain('line1\nline2\n\nline3');
  });
});
