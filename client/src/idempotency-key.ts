/** A fresh Idempotency-Key (`randomUUID` exists only in secure contexts; `getRandomValues` everywhere). */
export const newKey = () =>
  crypto.randomUUID?.() ??
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
