/** Socket commands of commerce: the host pins a product; joined viewers report impressions and clicks and claim coupons. */
import {
  ClaimCouponPayload,
  ClickPayload,
  ImpressionsPayload,
  PinProductPayload,
} from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import { defineHandler } from '../../realtime/define-handler';
import type { AppSocket } from '../../realtime/types';
import type { CouponsService } from './coupons/coupons.service';
import type { ProductsService } from './products/products.service';

const ANYONE = ['host', 'moderator', 'viewer'] as const;

function requireJoined(socket: AppSocket, liveId: string): void {
  if (!socket.data.joined.has(liveId)) throw new AppError('NOT_JOINED', 'join the live first');
}

export function commerceSocketHandlers(deps: { products: ProductsService; coupons: CouponsService }) {
  const { products, coupons } = deps;
  return [
    defineHandler({
      event: 'product:pin',
      schema: PinProductPayload,
      roles: ['host'],
      run: ({ socket }, { liveId, productId }) => products.pin(socket.data.user, liveId, productId),
    }),
    defineHandler({
      event: 'product:impressions',
      schema: ImpressionsPayload,
      roles: ANYONE,
      async run({ socket }, { liveId, productIds }) {
        requireJoined(socket, liveId);
        return products.impressions(liveId, socket.data.user.sub, productIds);
      },
    }),
    defineHandler({
      event: 'product:click',
      schema: ClickPayload,
      roles: ANYONE,
      async run({ socket }, { liveId, productId }) {
        requireJoined(socket, liveId);
        return products.click(liveId, socket.data.user.sub, productId);
      },
    }),
    defineHandler({
      event: 'coupon:claim',
      schema: ClaimCouponPayload,
      roles: ANYONE,
      async run({ socket }, { liveId, couponId }) {
        requireJoined(socket, liveId);
        return coupons.claim(socket.data.user, liveId, couponId);
      },
    }),
  ];
}
