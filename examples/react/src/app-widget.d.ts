// Lets JSX know <app-widget> and its attributes, from the types the widget ships.
import type { AppWidgetAttributes } from "../../../widget.d.ts";
import type { DetailedHTMLProps, HTMLAttributes } from "react";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "app-widget": DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & AppWidgetAttributes;
    }
  }
}
