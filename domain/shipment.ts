/** One shipped quantity of an order line, by the partner's line number. */
export interface ShippedItem {
  lineNumber: string;
  quantity: number;
  uom: string;
}

/** One physical package; the components of a bundle are items of their own and may travel apart. */
export interface Package {
  /** The 18-digit GS1 Serial Shipping Container Code on the label. */
  sscc?: string;
  /** The shipper's own marks on the package, when it has no SSCC or beside it. */
  marks?: string;
  weightKg?: number;
  items: ShippedItem[];
}

export interface Shipment {
  shipmentId: string;
  /** ISO 8601 date-time. */
  shippedAt: string;
  carrier: { scac: string; name?: string };
  trackingNumber: string;
  /** X12 service level code (element 284), e.g. ND next day, SC second day, G2 standard. */
  serviceLevel?: string;
  /** When the vendor expects it to arrive (YYYY-MM-DD): the ship notice's delivery date. */
  estimatedDeliveryDate?: string;
  packages: Package[];
}
