// Feedback for every action: a short message in a live region, gone after a few seconds
// (errors stay until dismissed). A toast may carry one action ("Undo"), which keeps it
// longer, and for as long as the pointer or the focus is on it. The region is a manual
// popover, shown again on each new message, so that it sits in the top layer above an open
// modal dialog and its backdrop.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ToastAction, ToastKind } from '../context';

interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  action?: ToastAction;
}

let nextId = 1;

export const TOAST_MS = 5000;
/** A toast with an action stays longer: time to read it and press the button. */
export const ACTION_TOAST_MS = 12_000;

export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (kind: ToastKind, message: string, action?: ToastAction) => {
      const id = nextId++;
      setToasts((all) => [...all.slice(-3), { id, kind, message, action }]);
      if (kind === 'error') return;
      // A toast the user is on (hovered or focused) waits for them to leave it.
      const expire = () => {
        const element = document.querySelector(`[data-toast-id="${id}"]`);
        if (element && (element.matches(':hover') || element.contains(document.activeElement))) {
          setTimeout(expire, 1000);
        } else dismiss(id);
      };
      setTimeout(expire, action ? ACTION_TOAST_MS : TOAST_MS);
    },
    [dismiss],
  );
  return { toasts, push, dismiss };
}

export function ToastRegion({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = region.current;
    if (!element?.showPopover) return;
    if (element.matches(':popover-open')) element.hidePopover();
    if (toasts.length > 0) element.showPopover();
  }, [toasts]);
  return (
    <div ref={region} popover="manual" class="toasts" aria-live="polite" aria-relevant="additions">
      {toasts.map((t) => (
        <div
          key={t.id}
          data-toast-id={t.id}
          class={`toast toast-${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{t.message}</span>
          <span class="toast-buttons">
            {t.action && (
              <button
                type="button"
                class="button button-small toast-action"
                aria-label={t.action.description ?? undefined}
                onClick={() => {
                  dismiss(t.id);
                  t.action?.run();
                }}
              >
                {t.action.label}
              </button>
            )}
            <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </span>
        </div>
      ))}
    </div>
  );
}
