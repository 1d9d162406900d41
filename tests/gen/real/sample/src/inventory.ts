// A small inventory model: the project the TypeScript program compiles.
export enum Category { Tools, Garden, Kitchen, Books }

export interface Item {
  sku: string;
  name: string;
  category: Category;
  priceCents: number;
  tags: readonly string[];
}

export class Inventory {
  private readonly items = new Map<string, Item>();
  private readonly counts = new Map<string, number>();

  add(item: Item, count = 1): void {
    this.items.set(item.sku, item);
    this.counts.set(item.sku, (this.counts.get(item.sku) ?? 0) + count);
  }

  take(sku: string, count: number): boolean {
    const have = this.counts.get(sku) ?? 0;
    if (have < count) return false;
    this.counts.set(sku, have - count);
    return true;
  }

  byCategory(category: Category): Item[] {
    return [...this.items.values()].filter((i) => i.category === category);
  }

  valueCents(): number {
    let total = 0;
    for (const [sku, n] of this.counts) total += (this.items.get(sku)?.priceCents ?? 0) * n;
    return total;
  }
}
