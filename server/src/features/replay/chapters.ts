/**
 * The replay's chapters from the room log: what happened (a product pinned, a flash sale opened, sold out or
 * closed, a lottery drawn, a question answered, a poll closed, a like goal reached) and where it is in the
 * recording. Pure: events and the runs' spans in, chapters out.
 */
import type { Chapter } from '@lc/contracts/replay.schema';
import type { RoomEvent } from '@lc/contracts/room.schema';
import { offsetAt, type RunSpan } from './playlist';

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (v && typeof v === 'object' ? (v as Data) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function buildChapters(events: readonly RoomEvent[], spans: readonly RunSpan[]): Chapter[] {
  const products = new Map<string, string>();
  const saleProduct = new Map<string, string>();
  const soldOut = new Set<string>();
  const chapters: Chapter[] = [];
  const add = (type: Chapter['type'], label: string, at: number, productId?: string) =>
    chapters.push({ type, label, at, offsetMs: offsetAt(at, spans), ...(productId ? { productId } : {}) });

  for (const e of events) {
    const d = obj(e.data);
    switch (e.type) {
      case 'product:upserted': {
        const p = obj(d.product ?? d);
        if (str(p.id) && str(p.title)) products.set(p.id as string, p.title as string);
        break;
      }
      case 'product:pinned': {
        const productId = str(d.productId);
        const title = str(obj(d.product).title) ?? (productId && products.get(productId));
        if (productId) add('product-pinned', title ?? 'Product', e.at, productId);
        break;
      }
      case 'sale:scheduled': {
        const sale = obj(d.sale);
        const id = str(sale.id);
        const productId = str(sale.productId);
        if (id && productId) saleProduct.set(id, productId);
        const opensAt = typeof sale.opensAt === 'number' ? sale.opensAt : e.at;
        if (productId) add('sale-opened', products.get(productId) ?? 'Flash sale', opensAt, productId);
        break;
      }
      case 'sale:stock': {
        const id = str(d.saleId);
        if (id && d.soldOut === true && !soldOut.has(id)) {
          soldOut.add(id);
          const productId = saleProduct.get(id);
          add('sale-sold-out', (productId && products.get(productId)) || 'Sold out', e.at, productId);
        }
        break;
      }
      case 'sale:closed': {
        const productId = saleProduct.get(str(d.saleId) ?? '');
        add('sale-closed', (productId && products.get(productId)) || 'Sale closed', e.at, productId);
        break;
      }
      case 'lottery:drawn':
        add('lottery-drawn', str(obj(d.lottery).title) ?? 'Lottery draw', e.at);
        break;
      case 'qa:updated':
        if (d.status === 'answered') add('question-answered', str(d.text) ?? 'Question', e.at);
        break;
      case 'poll:closed':
        add('poll-closed', str(d.question) ?? str(obj(d.poll).question) ?? 'Poll', e.at);
        break;
      case 'goal:reached':
        add('goal-reached', str(obj(d.goal).label) ?? `${String(obj(d.goal).threshold ?? '')} likes`, e.at);
        break;
    }
  }
  // A sale scheduled ahead opens later than it was logged: keep the timeline in time order.
  return chapters.sort((a, b) => a.at - b.at);
}
