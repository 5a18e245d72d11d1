/**
 * The typed registry features reach each other through. `Services` starts empty: each feature adds the entries
 * it provides by module augmentation (see feature.ts), so this file knows no feature.
 */

// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation in each feature.
export interface Services {}

export interface ServiceRegistry {
  /** Offers a service to the features registered later. Once per key. */
  provide<K extends keyof Services>(key: K, value: Services[K]): void;
  /** A service an earlier feature provided. @throws when none did (the order in features.ts is wrong) */
  use<K extends keyof Services>(key: K): Services[K];
  /** A service that may be absent (e.g. media when MEDIA_ENABLED=false). */
  maybe<K extends keyof Services>(key: K): Services[K] | undefined;
}

export function createServiceRegistry(): ServiceRegistry {
  const services = new Map<keyof Services, unknown>();
  return {
    provide(key, value) {
      if (services.has(key)) throw new Error(`service ${String(key)} provided twice`);
      services.set(key, value);
    },
    use(key) {
      if (!services.has(key)) {
        throw new Error(
          `service ${String(key)} is not provided (yet): check the order in composition/features.ts`,
        );
      }
      return services.get(key) as Services[typeof key];
    },
    maybe(key) {
      return services.get(key) as Services[typeof key] | undefined;
    },
  };
}
