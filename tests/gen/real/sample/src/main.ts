import { Category, Inventory } from './inventory';
import { Order, fulfil, gardenStock } from './orders';

const inventory = new Inventory();
inventory.add({ sku: 'HAM-1', name: 'Hammer', category: Category.Tools, priceCents: 1299, tags: ['steel'] }, 4);
inventory.add({ sku: 'RAK-2', name: 'Rake', category: Category.Garden, priceCents: 2450, tags: [] }, 2);
inventory.add({ sku: 'PAN-3', name: 'Pan', category: Category.Kitchen, priceCents: 3100, tags: ['cast iron'] });

const orders = [new Order(1, [{ sku: 'HAM-1', count: 2 }]), new Order(2, [{ sku: 'PAN-3', count: 5 }])];
for (const o of orders) console.log(o.id, fulfil(inventory, o));
console.log(gardenStock(inventory).join(', '), inventory.valueCents());
