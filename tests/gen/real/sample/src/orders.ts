import { Category, Inventory, Item } from './inventory';

export type OrderState = 'open' | 'paid' | 'shipped' | 'cancelled';

export interface OrderLine { sku: string; count: number }

export class Order {
  state: OrderState = 'open';
  constructor(readonly id: number, readonly lines: OrderLine[]) {}

  totalCents(catalog: ReadonlyMap<string, Item>): number {
    return this.lines.reduce((sum, l) => sum + (catalog.get(l.sku)?.priceCents ?? 0) * l.count, 0);
  }
}

export function fulfil(inventory: Inventory, order: Order): OrderState {
  const ok = order.lines.every((l) => inventory.take(l.sku, l.count));
  order.state = ok ? 'shipped' : 'cancelled';
  return order.state;
}

export function gardenStock(inventory: Inventory): string[] {
  return inventory.byCategory(Category.Garden).map((i) => `${i.name} (${i.sku})`);
}
