/**
 * Who sends each reserve attempt and under which Idempotency-Key: a random buyer each time (so some come back
 * before others and meet the per-user limit while stock lasts), most attempts carry a
 * fresh key, a share repeat the buyer's previous key with the same body (a client retry, which must be
 * answered with the first outcome). Also tallies what came back: status codes, error codes, and the
 * reservation of every 201 — the client's side of "one reservation per key".
 */

/** What one buyer's retry or fresh attempt looks like on the wire. */
export interface Attempt {
  buyer: number;
  key: string;
  replay: boolean;
}

export class BuyerMix {
  private n = 0;
  private readonly lastKey: (string | undefined)[];
  sent = 0;
  replays = 0;

  /**
   * @param tokens  one bearer token per buyer
   * @param keyPrefix makes keys unique per round (a key names one attempt on one sale)
   * @param replayShare fraction of attempts that repeat the buyer's previous key
   */
  constructor(
    readonly tokens: string[],
    private readonly keyPrefix: string,
    private readonly replayShare: number,
  ) {
    this.lastKey = new Array(tokens.length);
  }

  /** The next attempt: a random buyer; a replay when the dice say so and the buyer has sent before. */
  take(): Attempt {
    const buyer = Math.floor(Math.random() * this.tokens.length);
    this.sent++;
    const prev = this.lastKey[buyer];
    if (prev !== undefined && Math.random() < this.replayShare) {
      this.replays++;
      return { buyer, key: prev, replay: true };
    }
    const key = `${this.keyPrefix}-${buyer}-${this.n++}`;
    this.lastKey[buyer] = key;
    return { buyer, key, replay: false };
  }
}

/** Responses as the generator saw them. */
export class OutcomeTally {
  readonly byCode = new Map<string, number>();
  /** reservation id → [userId, 201 answers carrying it] */
  readonly reservations = new Map<string, { userId: string; answers: number }>();
  created = 0;
  unparsed = 0;

  record(status: number, body: string): void {
    if (status === 201) {
      this.created++;
      try {
        const r = JSON.parse(body) as { id?: string; userId?: string };
        if (typeof r.id !== 'string' || typeof r.userId !== 'string') throw new Error('no id');
        const hit = this.reservations.get(r.id);
        if (hit) hit.answers++;
        else this.reservations.set(r.id, { userId: r.userId, answers: 1 });
      } catch {
        this.unparsed++;
      }
      return;
    }
    // NOTE: a regex, not JSON.parse: most answers of a storm are SOLD_OUT / PURCHASE_LIMIT, keep them cheap.
    const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? `HTTP_${status}`;
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
  }

  codes(): Record<string, number> {
    return Object.fromEntries([...this.byCode].sort((a, b) => b[1] - a[1]));
  }
}

/** Answers a flash-sale storm is expected to produce; anything else (5xx, mismatch, auth) fails the run. */
export const EXPECTED_CODES = new Set(['SOLD_OUT', 'PURCHASE_LIMIT']);
