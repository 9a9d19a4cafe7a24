import { useEffect, useRef, useState } from "react";
import type {
  CheckoutStatus,
  LoadErrorEvent,
  ReadyEvent,
  StatusChangedEvent,
} from "../../../widget.d.ts";

// A reusable payment link the demo server seeds (NO_PRICE, 1 to 10 000 USD).
const WIDGET_KEY = "5e1f0a3c-7d2b-4c8e-9a61-0d3b2f4e8c17";

export function App() {
  const widget = useRef<HTMLElementTagNameMap["app-widget"]>(null);
  const [status, setStatus] = useState<CheckoutStatus | "loading">("loading");
  const [history, setHistory] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const element = widget.current;
    if (!element) return;
    // React's synthetic events do not cover custom events: listen on the element itself. The
    // listener is typed by widget.d.ts (HTMLElementEventMap["statusChanged"]).
    const onStatus = (event: StatusChangedEvent) => {
      setStatus(event.detail.status);
      setHistory((h) => [...h, `${event.detail.previousStatus ?? "—"} → ${event.detail.status}`]);
    };
    const onReady = (event: ReadyEvent) => {
      setProblem(null);
      setHistory((h) => [...h, `ready (${event.detail.status})`]);
    };
    const onLoadError = (event: LoadErrorEvent) => {
      const { reason, retryable } = event.detail;
      setProblem(retryable ? `${reason}: the widget offers to try again` : reason);
    };
    element.addEventListener("statusChanged", onStatus);
    element.addEventListener("ready", onReady);
    element.addEventListener("loadError", onLoadError);
    return () => {
      element.removeEventListener("statusChanged", onStatus);
      element.removeEventListener("ready", onReady);
      element.removeEventListener("loadError", onLoadError);
    };
  }, []);

  return (
    <main>
      <h1>React checkout</h1>
      <p>
        Status seen by React: <strong>{status}</strong>
      </p>
      {problem && <p role="alert">Could not load the checkout ({problem}).</p>}
      <app-widget ref={widget} widget-key={WIDGET_KEY} theme="auto" />
      <ol>
        {history.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ol>
      <p>
        <a href="../../">All examples</a>
      </p>
    </main>
  );
}
