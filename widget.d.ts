// Types for <app-widget>, the checkout-widget custom element.
// Reference with: /// <reference path="https://<your-server>/widget/widget.d.ts" />
// or copy next to your code.

/** A checkout's status: one vocabulary for the widget, its events and the server. */
export type CheckoutStatus =
  | "NEW"
  | "WAITING_PAYMENT"
  | "PENDING_PAYMENT"
  | "SUCCESS"
  | "CONFLICT"
  | "EXPIRED"
  | "CANCELLED";

/** Why a checkout needs attention, beside its status. */
export type CheckoutException = "UNDERPAID" | "OVERPAID" | "PAID_LATE";

/** `event.detail` of `statusChanged`. Amounts are decimal strings, never numbers. */
export interface StatusChangedDetail {
  id: string;
  status: CheckoutStatus;
  previousStatus: CheckoutStatus | null;
  paymentId: string | null;
  currency: string | null;
  network: string | null;
  amount: string | null;
  amountPaid: string | null;
  exception: CheckoutException | null;
}

export type StatusChangedEvent = CustomEvent<StatusChangedDetail>;

/** `event.detail` of `ready`: the first view the payer can use is on screen (once per mount). */
export interface ReadyDetail {
  id: string;
  status: CheckoutStatus;
}

export type ReadyEvent = CustomEvent<ReadyDetail>;

/** `event.detail` of `loadError`: loading the checkout failed (once per failed attempt). */
export interface LoadErrorDetail {
  /** The server's error code (`not_found`, `checkout_expired`, …), `network` when no answer
   * came, `unexpected_response`, or `missing_id` when the element names no checkout. */
  reason: string;
  message: string;
  /** The HTTP status, when the server answered. */
  status: number | null;
  /** Whether the widget's own "Try again" may help. */
  retryable: boolean;
}

export type LoadErrorEvent = CustomEvent<LoadErrorDetail>;

/** The element. Set `id` (a checkout) or `widget-key` (a reusable payment link). */
export interface AppWidgetElement extends HTMLElement {
  addEventListener<K extends keyof AppWidgetEventMap>(
    type: K,
    listener: (this: AppWidgetElement, ev: AppWidgetEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

export interface AppWidgetEventMap extends HTMLElementEventMap {
  statusChanged: StatusChangedEvent;
  ready: ReadyEvent;
  loadError: LoadErrorEvent;
}

/** Attributes of <app-widget>, for frameworks that type their JSX intrinsic elements. */
export interface AppWidgetAttributes {
  id?: string;
  "widget-key"?: string;
  "api-base"?: string;
  locale?: string;
  theme?: "light" | "dark" | "auto";
}

declare global {
  interface HTMLElementTagNameMap {
    "app-widget": AppWidgetElement;
  }
  interface HTMLElementEventMap {
    statusChanged: StatusChangedEvent;
    ready: ReadyEvent;
    loadError: LoadErrorEvent;
  }
}
